/** The OpenAPI 3.1 description of the HTTP API, served at `/api/v1/openapi.json`. */

const json = (schema: object) => ({ content: { 'application/json': { schema } } });
const ok = (description: string, schema: object = { type: 'object' }) => ({ 200: { description, ...json(schema) } });
const caseId = { name: 'id', in: 'path', required: true, schema: { type: 'integer' } };
const staffOnly = { security: [{ session: [] }] };
const errors = {
  400: { description: 'bad input; `message` says which field and why' },
  401: { description: 'not logged in' },
  403: { description: 'missing CSRF token, wrong role, or another department\'s case' },
  404: { description: 'no such case' },
  409: { description: 'the case changed meanwhile (already claimed, closed)' },
  413: { description: 'body over the size limit (`error`: payload_too_large)' },
  429: { description: 'too many messages from this address (RATE_LIMIT_IP_PER_MINUTE) or in this conversation (RATE_LIMIT_CONVERSATION_PER_MINUTE); `error`: rate_limited, `message` says when to try again' },
};

/** Every response carries the request id that also marks the log lines of this request. */
const requestIdHeader = { name: 'X-Request-Id', in: 'header', required: false, description: 'kept when well-formed (8-100 letters, digits, ".", "_", ":" or "-"), else a new UUID; returned on every response', schema: { type: 'string' } };

const escalation = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    caseNumber: { type: 'string', example: 'HY-20261126-0001' },
    conversationId: { type: 'string' },
    channel: { type: 'string', example: 'telegram' },
    department: { type: 'string' },
    state: { enum: ['pending', 'assigned', 'transferred', 'expired', 'resolved'] },
    trigger: { enum: ['asked_for_human', 'repeated_misses', 'staff_opened'] },
    question: { type: 'string', description: 'masked unless the viewer holds the case' },
    candidates: { type: 'array', items: { type: 'object', properties: { entryId: { type: 'string' }, score: { type: 'number' } } } },
    createdAt: { type: 'string', format: 'date-time' },
    dueAt: { type: 'string', format: 'date-time', description: 'first-response target' },
    breached: { type: 'boolean' },
    firstResponseAt: { type: ['string', 'null'], format: 'date-time' },
    assignee: { type: ['object', 'null'] },
    rating: { enum: ['satisfied', 'basically_satisfied', 'dissatisfied', null] },
    deliveryProblem: { type: ['string', 'null'], description: 'why the last staff message did not reach the citizen (e.g. window_closed)' },
    followUpOpen: { type: 'boolean' },
  },
};

const faqDraft = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    escalationId: { type: ['integer', 'null'] },
    topicId: { type: ['string', 'null'], description: 'the demand topic it was made from' },
    department: { type: 'string', description: 'the department it is assigned to' },
    lang: { enum: ['zh', 'en'] },
    title: { type: 'string' },
    questions: { type: 'array', items: { type: 'string' } },
    answer: { type: 'string', description: 'may be empty until it is submitted or published' },
    status: { enum: ['draft', 'published', 'rejected'] },
    dueAt: { type: ['string', 'null'], format: 'date-time' },
    overdue: { type: 'boolean' },
    askedBy: { type: 'integer', description: 'conversations whose questions it answers (told on publication if chosen)' },
    submittedAt: { type: ['string', 'null'], format: 'date-time' },
    entryId: { type: ['string', 'null'] },
    createdAt: { type: 'string', format: 'date-time' },
  },
};

export const openApiDocument = {
  openapi: '3.1.0',
  info: {
    title: 'Huiying (回应) API',
    version: '1',
    description:
      'Citizen messages, conversation history and the staff side (escalation cases). Staff routes use the session cookie set by login; every POST/PATCH also needs the `X-CSRF-Token` header with the token login returned.',
  },
  components: { securitySchemes: { session: { type: 'apiKey', in: 'cookie', name: 'hy_session' } }, schemas: { Escalation: escalation, FaqDraft: faqDraft } },
  paths: {
    '/api/v1/messages': {
      post: {
        summary: 'A citizen message; "转人工" or "talk to a person" opens a case (outcome `escalated`)',
        parameters: [requestIdHeader],
        requestBody: json({ type: 'object', required: ['text'], properties: { conversationId: { type: 'string' }, text: { type: 'string' }, lang: { enum: ['zh', 'en'] }, messageId: { type: 'string' } } }),
        responses: { ...ok('the bot\'s replies', { type: 'object', properties: { conversationId: { type: 'string' }, outcome: { enum: ['answered', 'clarify', 'unanswered', 'escalated', 'staff', 'smalltalk'] }, replies: { type: 'array' } } }), 400: errors[400], 413: errors[413], 429: errors[429] },
      },
    },
    '/api/v1/conversations/{id}/messages': {
      get: { summary: 'History of a conversation, staff replies included with the staff member\'s display name (`staffName`); the conversation id is the citizen\'s key', parameters: [{ ...caseId, schema: { type: 'string' } }], responses: ok('messages') },
    },
    '/api/v1/staff/login': {
      post: {
        summary: 'Log in; sets the session cookie (and a device cookie that exempts this browser from the login limits) and returns the CSRF token',
        requestBody: json({ type: 'object', required: ['name', 'password'], properties: { name: { type: 'string' }, password: { type: 'string' } } }),
        responses: {
          ...ok('logged in (`enrolmentRequired`: the session may only set up two-step verification), or `{ secondFactor: "totp", pendingToken }` when the account has it: no session yet', {
            type: 'object',
            properties: { csrfToken: { type: 'string' }, staff: { type: 'object' }, enrolmentRequired: { type: 'boolean' }, secondFactor: { enum: ['totp'] }, pendingToken: { type: 'string' } },
          }),
          401: { description: 'wrong name or password' },
          429: { description: 'a login limit (this account from this client, this address, or this account without its device cookie); wait Retry-After seconds' },
          503: { description: 'too many logins at once; wait Retry-After seconds' },
        },
      },
    },
    '/api/v1/staff/login/second-factor': {
      post: {
        summary: 'The second step of a login: the 6-digit code of the TOTP app, or a recovery code (each works once); 5 tries per login, 5 minutes',
        requestBody: json({ type: 'object', required: ['pendingToken', 'code'], properties: { pendingToken: { type: 'string' }, code: { type: 'string' } } }),
        responses: {
          ...ok('logged in: sets the session cookie, like login'),
          401: { description: '`invalid_code` (with `attemptsLeft`) or `login_expired` (log in with the password again)' },
          429: { description: '10 wrong codes in a row: the second step of the account is locked for 15 minutes' },
        },
      },
    },
    '/api/v1/staff/2fa': { get: { ...staffOnly, summary: 'Own two-step verification: `enabled`, `required`, `recoveryCodesLeft`', responses: ok('status') } },
    '/api/v1/staff/2fa/setup': {
      post: { ...staffOnly, summary: 'Start two-step verification: a new secret, its otpauth:// URI and a QR code (PNG data URL), shown only now', responses: { ...ok('secret, uri, qrCode'), 409: { description: 'already set up' } } },
    },
    '/api/v1/staff/2fa/confirm': {
      post: {
        ...staffOnly,
        summary: 'Confirm with a current code: turns it on, lifts an enrolment-only session, and returns 10 recovery codes (shown only now)',
        requestBody: json({ type: 'object', required: ['code'], properties: { code: { type: 'string' } } }),
        responses: { ...ok('recoveryCodes'), 400: { description: 'wrong code' } },
      },
    },
    '/api/v1/staff/{id}/2fa/reset': { post: { ...staffOnly, summary: 'Admins: remove someone\'s two-step verification (they set it up again); ends their sessions', parameters: [caseId], responses: ok('reset') } },
    '/api/v1/staff/me/password': {
      post: {
        ...staffOnly,
        summary: 'Change one\'s own password: needs the current one; the new one must pass the password rules; the account\'s other sessions end',
        requestBody: json({ type: 'object', required: ['currentPassword', 'newPassword'], properties: { currentPassword: { type: 'string' }, newPassword: { type: 'string' } } }),
        responses: { ...ok('changed'), 400: { description: '`weak_password`, with the reason in `message` (English) and `messageZh`' }, 403: { description: 'wrong current password' } },
      },
    },
    '/api/v1/staff/logout': { post: { ...staffOnly, summary: 'Log out', responses: ok('logged out') } },
    '/api/v1/staff/me': { get: { ...staffOnly, summary: 'The logged-in staff member and the CSRF token', responses: ok('me') } },
    '/api/v1/departments': {
      get: { ...staffOnly, summary: 'Departments (queues), from the knowledge base plus the general queue', responses: ok('departments') },
      post: {
        ...staffOnly,
        summary: 'Admins: add a department (written to knowledge/departments.yaml)',
        requestBody: json({ type: 'object', required: ['id', 'name'], properties: { id: { type: 'string' }, name: { type: 'object', properties: { zh: { type: 'string' }, en: { type: 'string' } } } } }),
        responses: { 201: { description: 'added' }, 400: errors[400], 409: { description: 'the id exists' } },
      },
    },
    '/api/v1/departments/{id}': {
      patch: { ...staffOnly, summary: 'Admins: rename a department (its id stays)', parameters: [{ ...caseId, schema: { type: 'string' } }], responses: { ...ok('renamed'), 404: { description: 'no such department' } } },
    },
    '/api/v1/escalations': {
      get: {
        ...staffOnly,
        summary: 'Cases of the caller\'s departments (all for supervisors and admins), oldest first; open ones unless `state` is given',
        parameters: [{ name: 'state', in: 'query', schema: { enum: ['pending', 'assigned', 'transferred', 'expired', 'resolved'] } }],
        responses: { ...ok('cases', { type: 'object', properties: { escalations: { type: 'array', items: { $ref: '#/components/schemas/Escalation' } } } }), 401: errors[401] },
      },
    },
    '/api/v1/escalations/{id}': { get: { ...staffOnly, summary: 'A case with its transcript, notes and unsent messages', parameters: [caseId], responses: { ...ok('case'), 403: errors[403], 404: errors[404] } } },
    '/api/v1/escalations/{id}/claim': { post: { ...staffOnly, summary: 'Claim a waiting case; of simultaneous claims exactly one wins (409 for the others)', parameters: [caseId], responses: { ...ok('claimed'), 409: errors[409] } } },
    '/api/v1/escalations/{id}/messages': {
      post: { ...staffOnly, summary: 'Reply to the citizen on their channel', parameters: [caseId], requestBody: json({ type: 'object', required: ['text'], properties: { text: { type: 'string' } } }), responses: { ...ok('sent, or `delivery.status` = undeliverable with the reason'), 409: errors[409] } },
    },
    '/api/v1/escalations/{id}/notes': { post: { ...staffOnly, summary: 'Internal note (never shown to the citizen)', parameters: [caseId], requestBody: json({ type: 'object', properties: { text: { type: 'string' } } }), responses: ok('notes') } },
    '/api/v1/escalations/{id}/transfer': {
      post: { ...staffOnly, summary: 'Pass the case to another department', parameters: [caseId], requestBody: json({ type: 'object', required: ['department'], properties: { department: { type: 'string' }, note: { type: 'string' } } }), responses: { ...ok('transferred'), 400: errors[400] } },
    },
    '/api/v1/escalations/{id}/resolve': { post: { ...staffOnly, summary: 'Close the case; the bot asks the citizen for a rating', parameters: [caseId], responses: { ...ok('resolved'), 409: errors[409] } } },
    '/api/v1/escalations/{id}/reassign': { post: { ...staffOnly, summary: 'Supervisors: give the case to a staff member', parameters: [caseId], requestBody: json({ type: 'object', properties: { staffId: { type: 'integer' } } }), responses: ok('reassigned') } },
    '/api/v1/escalations/{id}/follow-up/close': { post: { ...staffOnly, summary: 'Supervisors: close the follow-up a dissatisfied rating opened', parameters: [caseId], responses: ok('closed') } },
    '/api/v1/demand/{id}/escalate': { post: { ...staffOnly, summary: 'Open a case on a question from the demand log', parameters: [caseId], responses: { 201: { description: 'opened' }, 200: { description: 'the conversation already had an open case' } } } },
    '/api/v1/ratings': { get: { ...staffOnly, summary: 'Supervisors: ratings (好差评) with counts', responses: ok('ratings') } },
    '/api/v1/kb/search': { get: { ...staffOnly, summary: 'Search knowledge-base answers to insert in a reply', parameters: [{ name: 'q', in: 'query', required: true, schema: { type: 'string' } }], responses: ok('entries') } },
    '/api/v1/canned-replies': { get: { ...staffOnly, summary: 'Ready-made replies (knowledge/canned-replies.yaml)', responses: ok('replies') } },
    '/api/v1/faq-drafts': {
      get: { ...staffOnly, summary: 'FAQ drafts (agents: those assigned to their departments and their own); open drafts by due date, with `overdue`', parameters: [{ name: 'status', in: 'query', schema: { enum: ['draft', 'published', 'rejected'] } }], responses: ok('drafts', { type: 'object', properties: { drafts: { type: 'array', items: { $ref: '#/components/schemas/FaqDraft' } } } }) },
      post: {
        ...staffOnly,
        summary: '"Save as FAQ": a draft entry from a case, assigned to a department (due in 5 working days unless dueAt is given)',
        requestBody: json({ type: 'object', required: ['department', 'title', 'questions', 'answer'], properties: { escalationId: { type: 'integer' }, department: { type: 'string' }, lang: { enum: ['zh', 'en'] }, title: { type: 'string' }, questions: { type: 'array', items: { type: 'string' } }, answer: { type: 'string' }, dueAt: { type: 'string', description: 'YYYY-MM-DD (end of that day, China time) or an ISO time' } } }),
        responses: { 201: { description: 'draft saved' }, 400: errors[400] },
      },
    },
    '/api/v1/faq-drafts/{id}': {
      get: { ...staffOnly, summary: 'A draft, and how the citizens who asked were told (counts: sent, skipped, failed)', parameters: [caseId], responses: { ...ok('draft'), 403: { description: 'assigned to another department' }, 404: { description: 'no such draft' } } },
      patch: {
        ...staffOnly,
        summary: 'Edit an open draft (its department, supervisors, admins): title, questions, answer (may be empty until publishing), department, due date',
        parameters: [caseId],
        requestBody: json({ type: 'object', properties: { title: { type: 'string' }, department: { type: 'string' }, questions: { type: 'array', items: { type: 'string' } }, answer: { type: 'string' }, dueAt: { type: 'string' } } }),
        responses: { ...ok('draft'), 400: errors[400], 403: { description: 'assigned to another department' }, 404: { description: 'no such draft' }, 409: { description: 'already published or rejected' } },
      },
    },
    '/api/v1/faq-drafts/{id}/submit': { post: { ...staffOnly, summary: 'Submit an open draft for publication; needs an answer and a valid knowledge-base entry', parameters: [caseId], responses: { ...ok('submitted'), 400: errors[400], 403: { description: 'assigned to another department' }, 409: { description: 'already published or rejected' } } } },
    '/api/v1/faq-drafts/{id}/publish': {
      post: {
        ...staffOnly,
        summary: 'Admins: publish a draft into the knowledge base (the running bot retrains; its topic becomes covered); `notify` tells the citizens who asked, on their channel and within its reply window, once',
        parameters: [caseId],
        requestBody: json({ type: 'object', properties: { notify: { type: 'boolean', default: false } } }),
        responses: {
          ...ok('published', { type: 'object', properties: { draft: { $ref: '#/components/schemas/FaqDraft' }, entryId: { type: 'string' }, notifications: { type: ['object', 'null'], properties: { sent: { type: 'integer' }, skipped: { type: 'integer', description: 'outside the channel\'s reply window (WeChat: 48 hours) or unreachable' }, failed: { type: 'integer' }, alreadyNotified: { type: 'integer' } } } } }),
          400: { description: 'no answer yet, or not a valid knowledge-base entry; `message` says which field' },
          404: { description: 'no open draft' },
          409: { description: 'being published by another request' },
          422: { description: 'the knowledge base did not load with it; nothing changed' },
        },
      },
    },
    '/api/v1/faq-drafts/{id}/reject': { post: { ...staffOnly, summary: 'Admins: reject a draft (optional reason); a topic drafted from it is open again', parameters: [caseId], requestBody: json({ type: 'object', properties: { reason: { type: 'string' } } }), responses: ok('rejected') } },
    '/api/v1/staff': {
      get: { ...staffOnly, summary: 'Supervisors and admins: staff accounts', responses: ok('staff') },
      post: {
        ...staffOnly,
        summary: 'Admins: create a staff account; a weak or common password is refused (400 `weak_password`, the reason in `message` and `messageZh`)',
        requestBody: json({ type: 'object', required: ['name', 'displayName', 'role', 'password'], properties: { name: { type: 'string' }, displayName: { type: 'string' }, role: { enum: ['agent', 'supervisor', 'admin'] }, departments: { type: 'array', items: { type: 'string' } }, password: { type: 'string', minLength: 10 } } }),
        responses: { 201: { description: 'created' }, 400: errors[400], 409: { description: 'name taken' } },
      },
    },
    '/api/v1/staff/{id}': { patch: { ...staffOnly, summary: 'Admins: change role, departments, display name, password (a reset: the password rules apply and the account\'s sessions end) or deactivate', parameters: [caseId], responses: ok('updated') } },
    '/api/v1/staff/{id}/unlock': { post: { ...staffOnly, summary: "Admins: start an account's login limits afresh", parameters: [caseId], responses: { ...ok('unlocked'), 404: { description: 'no such staff member' } } } },
    '/api/v1/audit': { get: { ...staffOnly, summary: 'Admins: the audit log of staff actions', responses: ok('entries') } },
    '/api/v1/demand/topics': {
      get: {
        ...staffOnly,
        summary: 'Ranked topics of unanswered questions (agents: their departments and unknown); ignored topics only with status=ignored',
        parameters: [
          { name: 'from', in: 'query', schema: { type: 'string', description: 'YYYY-MM-DD (local day) or ISO time; default 30 days before to' } },
          { name: 'to', in: 'query', schema: { type: 'string', description: 'default now' } },
          { name: 'channel', in: 'query', schema: { type: 'string' } },
          { name: 'department', in: 'query', schema: { type: 'string', description: 'likely department, or "unknown"' } },
          { name: 'kind', in: 'query', schema: { enum: ['咨询', '投诉/求助', '建言'] } },
          { name: 'status', in: 'query', schema: { enum: ['open', 'drafted', 'covered', 'ignored'] } },
        ],
        responses: ok(
          'signals (logged), counted (once repeats and floods are set aside), repeats, floods {messages, sources}; topics: id, label, keywords, kind, lang, size (distinct conversations), messages, firstSeen, lastSeen, channels, departments (share; resolved: escalations resolved there), department, representatives (masked), weekly (conversations a week, 8 weeks), thisWeek, growth, status',
        ),
      },
    },
    '/api/v1/demand/floods': {
      get: {
        ...staffOnly,
        summary: 'Floods of the period (same from, to and channel as topics): near-identical texts from one client address or conversation, left out of the topics',
        responses: ok('messages; floods: source (address or conversation), sourceId, channel, pattern, messages, conversations, first, last, texts (masked, at most 200)'),
      },
    },
    '/api/v1/demand/topics/{id}': { get: { ...staffOnly, summary: 'A topic with its questions (masked), the nearest entries with scores, and a draft suggestion', parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }], responses: { ...ok('topic'), 404: { description: 'no such topic in the period' } } } },
    '/api/v1/demand/topics/{id}/ignore': { post: { ...staffOnly, summary: 'Ignore a topic (stays out of the ranked list)', parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }], requestBody: json({ type: 'object', required: ['reason'], properties: { reason: { type: 'string' } } }), responses: ok('topic') } },
    '/api/v1/demand/topics/{id}/reopen': { post: { ...staffOnly, summary: 'Put an ignored topic back in the list', parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }], responses: ok('topic') } },
    '/api/v1/demand/topics/{id}/faq-draft': {
      post: {
        ...staffOnly,
        summary: '"Create FAQ from this topic": a draft with the questions as variants, assigned to the likely department (or the one given) and due in 5 working days (or dueAt); the answer may be left for that department. The topic is "drafted", then "covered" once published',
        parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
        requestBody: json({ type: 'object', properties: { answer: { type: 'string', default: '' }, title: { type: 'string' }, department: { type: 'string' }, lang: { enum: ['zh', 'en'], description: 'default: the topic\'s language' }, questions: { type: 'array', items: { type: 'string' } }, dueAt: { type: 'string' } } }),
        responses: { 201: { description: 'draft saved' }, 400: errors[400], 404: { description: 'no such topic' } },
      },
    },
    '/api/v1/demand/topics/{id}/add-to-entry': {
      post: {
        ...staffOnly,
        summary: 'Admins: add the topic\'s questions as variants of an entry (knowledge/published/variants-<entry>.yaml); the bot retrains',
        parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
        requestBody: json({ type: 'object', required: ['entryId'], properties: { entryId: { type: 'string' }, questions: { type: 'array', items: { type: 'string' } } } }),
        responses: { ...ok('added; topic covered'), 400: errors[400], 422: { description: 'the knowledge base did not load; nothing changed' } },
      },
    },
    '/api/v1/demand/dashboard': {
      get: {
        ...staffOnly,
        summary: 'Supervisors and admins: questions per day by outcome, per channel and department, first-response compliance, ratings, top and rising topics',
        parameters: [{ name: 'from', in: 'query', schema: { type: 'string' } }, { name: 'to', in: 'query', schema: { type: 'string' } }],
        responses: ok('figures'),
      },
    },
    '/api/v1/demand/export.csv': { get: { ...staffOnly, summary: 'Topics and their masked questions as CSV (UTF-8 with BOM); same filters as topics', responses: { 200: { description: 'CSV', content: { 'text/csv': { schema: { type: 'string' } } } } } } },
    '/api/v1/demand/export.json': { get: { ...staffOnly, summary: 'Topics and their masked questions as JSON; same filters as topics', responses: ok('topics') } },
    '/api/v1/staff/live': { get: { ...staffOnly, summary: 'WebSocket: `case` and `message` events for the caller\'s queues', responses: { 101: { description: 'switching protocols' } } } },
  },
};
