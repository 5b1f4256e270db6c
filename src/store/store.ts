/** The whole store: every repository of one database, plus its units of work (SQLite now, PostgreSQL later). */
import type { CoreRepositories, CoreStore } from '../core/ports.ts';
import type { DemandAnalyticsRepository } from '../demand/ports.ts';
import type {
  AuditRepository,
  EscalationRepository,
  FaqDraftRepository,
  NoteRepository,
  SecondFactorRepository,
  SessionRepository,
  StaffRepository,
} from '../handoff/ports.ts';
import type { RetentionRepository } from '../ops/ports.ts';

/** Every repository of one database. */
export interface Repositories extends CoreRepositories {
  escalations: EscalationRepository;
  staff: StaffRepository;
  sessions: SessionRepository;
  secondFactors: SecondFactorRepository;
  notes: NoteRepository;
  audit: AuditRepository;
  faqDrafts: FaqDraftRepository;
  retention: RetentionRepository;
  demandAnalytics: DemandAnalyticsRepository;
}

export interface Store extends CoreStore, Repositories {}
