/** Entry point of the staff console bundle. */
import { render } from 'preact';
import { App } from './app.tsx';
import './console.css';

const root = document.getElementById('app');
if (root) {
  root.textContent = '';
  render(<App />, root);
}
