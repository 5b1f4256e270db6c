/** A minimal demo portal page that talks to the HTTP API (the embeddable widget replaces it in the channels work). */
export function demoPage(entries: number): string {
  return `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>回应 Huiying — 政务服务助手演示</title>
<style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem}#log p{margin:.4rem 0;white-space:pre-wrap}.me{text-align:right;color:#036}</style>
</head><body>
<h1>回应 Huiying</h1>
<p>政务服务智能助手演示（示例知识库 ${entries} 条）。 Demo of the government services assistant.</p>
<div id="log" aria-live="polite"></div>
<form id="f"><label for="q">您的问题 / Your question</label><br><input id="q" size="40" autocomplete="off" required> <button>发送 Send</button></form>
<script>
const log=document.getElementById('log');let cid=localStorage.getItem('huiying-demo-cid')||undefined;
function add(t,me){const p=document.createElement('p');p.textContent=t;if(me)p.className='me';log.append(p);}
document.getElementById('f').addEventListener('submit',async e=>{e.preventDefault();const q=document.getElementById('q');const text=q.value;q.value='';add(text,true);
const r=await fetch('/api/v1/messages',{method:'POST',headers:{'content-type':'application/json'},body:JSON.stringify({conversationId:cid,text})});
const j=await r.json();if(!r.ok){add(j.message);return;}cid=j.conversationId;localStorage.setItem('huiying-demo-cid',cid);for(const x of j.replies)add(x.text);});
</script></body></html>`;
}
