#include "store/migrations.h"

/* Times are INTEGER seconds since the epoch, UTC. Money is INTEGER cents. */
static const char m001_foundation[] =
  "CREATE TABLE org_units ("
  "  id INTEGER PRIMARY KEY,"
  "  code TEXT UNIQUE,"
  "  name TEXT NOT NULL,"
  "  kind TEXT NOT NULL CHECK (kind IN ('company','region','outlet','department')),"
  "  parent_id INTEGER REFERENCES org_units(id),"
  "  path TEXT NOT NULL UNIQUE,"
  "  created_at INTEGER NOT NULL);"
  "CREATE INDEX org_units_parent ON org_units(parent_id);"
  "CREATE UNIQUE INDEX org_units_one_company ON org_units(kind) WHERE kind = 'company';"

  "CREATE TABLE users ("
  "  id INTEGER PRIMARY KEY,"
  "  username TEXT NOT NULL UNIQUE,"
  "  display_name TEXT NOT NULL,"
  "  email TEXT NOT NULL DEFAULT '',"
  "  password_hash TEXT NOT NULL,"
  "  roles INTEGER NOT NULL,"
  "  unit_id INTEGER REFERENCES org_units(id),"
  "  disabled INTEGER NOT NULL DEFAULT 0,"
  "  created_at INTEGER NOT NULL,"
  "  updated_at INTEGER NOT NULL);"

  "CREATE TABLE sessions ("
  "  token_hash BLOB PRIMARY KEY,"
  "  user_id INTEGER NOT NULL REFERENCES users(id),"
  "  created_at INTEGER NOT NULL,"
  "  expires_at INTEGER NOT NULL) WITHOUT ROWID;"
  "CREATE INDEX sessions_user ON sessions(user_id);"

  "CREATE TABLE channels ("
  "  code TEXT PRIMARY KEY,"
  "  name_zh TEXT NOT NULL,"
  "  name_en TEXT NOT NULL,"
  "  external INTEGER NOT NULL DEFAULT 0,"
  "  sort INTEGER NOT NULL DEFAULT 0,"
  "  active INTEGER NOT NULL DEFAULT 1);"
  "INSERT INTO channels(code,name_zh,name_en,external,sort) VALUES"
  " ('phone','电话热线','Phone hotline',0,1),"
  " ('walk_in','现场来访','Walk-in',0,2),"
  " ('letter','信函','Letter',0,3),"
  " ('email','电子邮件','E-mail',0,4),"
  " ('web','网站/门户','Web form / portal',0,5),"
  " ('wechat','微信','WeChat',0,6),"
  " ('social_media','社交媒体','Social media',0,7),"
  " ('regulator_12315','12315/市场监管','12315 / market regulator',1,8),"
  " ('consumer_association','消费者协会','Consumer association',1,9),"
  " ('miit','工信部/通管局','MIIT / telecom authority',1,10),"
  " ('media','媒体','Media',1,11),"
  " ('court','法院','Court',1,12),"
  " ('leadership_referral','领导转办','Leadership referral',1,13),"
  " ('group_hotline','集团热线','Group hotline',1,14);"

  "CREATE TABLE categories ("
  "  code TEXT PRIMARY KEY,"
  "  parent_code TEXT REFERENCES categories(code),"
  "  name_zh TEXT NOT NULL,"
  "  name_en TEXT NOT NULL,"
  "  sort INTEGER NOT NULL DEFAULT 0,"
  "  active INTEGER NOT NULL DEFAULT 1);"
  "INSERT INTO categories(code,name_zh,name_en,sort) VALUES"
  " ('product_quality','产品质量','Product quality',1),"
  " ('repair_quality','维修质量','Repair quality',2),"
  " ('service_attitude','服务态度','Service attitude',3),"
  " ('service_standards','服务规范','Service standards',4),"
  " ('staff_skill','业务技能','Staff skill',5),"
  " ('delivery','配送/运输/物流','Delivery / transport / logistics',6),"
  " ('billing','价格与收费','Price, billing and charges',7),"
  " ('waiting_time','等待时间','Waiting time',8),"
  " ('broken_promise','承诺未兑现','Broken promise',9),"
  " ('unauthorised_activation','未经同意开通业务/营销','Unauthorised activation / marketing',10),"
  " ('facilities','设施设备','Facilities and equipment',11),"
  " ('food_hygiene','食品卫生','Food and hygiene',12),"
  " ('booking','预约/预订','Booking / reservation',13),"
  " ('warranty','保修与索赔','Warranty and claims',14),"
  " ('gifts_promotions','赠品与促销','Gifts and promotions',15),"
  " ('rescue','救援/道路救援','Rescue / roadside',16),"
  " ('other','其他','Other',17);"

  /* One row per month's series: the serial is allocated in the registering transaction,
   * so a rolled-back registration gives its number back and the series stays gap-free. */
  "CREATE TABLE case_counters ("
  "  period TEXT PRIMARY KEY,"
  "  last INTEGER NOT NULL) WITHOUT ROWID;"

  "CREATE TABLE cases ("
  "  id INTEGER PRIMARY KEY,"
  "  case_no TEXT NOT NULL UNIQUE,"
  "  status TEXT NOT NULL,"
  "  grade TEXT NOT NULL,"
  "  grade_reasons TEXT,"
  "  channel TEXT NOT NULL REFERENCES channels(code),"
  "  external INTEGER NOT NULL DEFAULT 0,"
  "  category TEXT REFERENCES categories(code),"
  "  validity TEXT, nature TEXT, title TEXT,"
  "  c_name TEXT NOT NULL, c_phone TEXT, c_email TEXT, c_customer_id TEXT,"
  "  c_vip INTEGER NOT NULL DEFAULT 0, c_vvip INTEGER NOT NULL DEFAULT 0,"
  "  c_address TEXT, c_contact_pref TEXT,"
  "  s_product TEXT, s_sku TEXT, s_batch TEXT, s_order_no TEXT, s_plate TEXT, s_vin TEXT,"
  "  s_outlet TEXT, s_employee TEXT, s_delivery_date TEXT, s_quantity INTEGER,"
  "  s_amount_paid_cents INTEGER,"
  "  description TEXT NOT NULL,"
  "  demands TEXT, demand_detail TEXT,"
  "  claimed_cents INTEGER,"
  "  unusable_days INTEGER,"
  "  f_injury INTEGER NOT NULL DEFAULT 0, f_fire INTEGER NOT NULL DEFAULT 0,"
  "  f_accident INTEGER NOT NULL DEFAULT 0, f_property_damage INTEGER NOT NULL DEFAULT 0,"
  "  f_safety_related INTEGER NOT NULL DEFAULT 0, f_media_exposure INTEGER NOT NULL DEFAULT 0,"
  "  f_media_threat INTEGER NOT NULL DEFAULT 0, f_regulator_threat INTEGER NOT NULL DEFAULT 0,"
  "  f_lawsuit_threat INTEGER NOT NULL DEFAULT 0, f_lawsuit_filed INTEGER NOT NULL DEFAULT 0,"
  "  f_regulator_investigation INTEGER NOT NULL DEFAULT 0,"
  "  owner TEXT NOT NULL REFERENCES users(username),"
  "  outlet_id INTEGER REFERENCES org_units(id),"
  "  dept_id INTEGER REFERENCES org_units(id),"
  "  handler TEXT REFERENCES users(username),"
  "  received_at INTEGER NOT NULL,"
  "  registered_at INTEGER NOT NULL,"
  "  updated_at INTEGER NOT NULL,"
  "  overdue INTEGER NOT NULL DEFAULT 0,"
  "  reopen_count INTEGER NOT NULL DEFAULT 0,"
  "  satisfaction INTEGER,"
  "  l_compensation_cents INTEGER, l_refund_cents INTEGER, l_discount_cents INTEGER,"
  "  l_repair_cents INTEGER, l_goods_cents INTEGER, l_freight_cents INTEGER,"
  "  l_gift_cents INTEGER, l_other_cents INTEGER, l_attributed_to TEXT);"
  "CREATE INDEX cases_status ON cases(status, id);"
  "CREATE INDEX cases_grade ON cases(grade, id);"
  "CREATE INDEX cases_category ON cases(category, id);"
  "CREATE INDEX cases_channel ON cases(channel, id);"
  "CREATE INDEX cases_outlet ON cases(outlet_id, id);"
  "CREATE INDEX cases_dept ON cases(dept_id, id);"
  "CREATE INDEX cases_owner ON cases(owner, id);"
  "CREATE INDEX cases_handler ON cases(handler, id);"
  "CREATE INDEX cases_received ON cases(received_at);"
  "CREATE INDEX cases_phone ON cases(c_phone);"
  /* A case number, once given, is never taken back: an auditor can prove no complaint
   * was deleted. */
  "CREATE TRIGGER cases_no_delete BEFORE DELETE ON cases"
  " BEGIN SELECT RAISE(ABORT, 'cases are never deleted'); END;"
  "CREATE TRIGGER cases_no_renumber BEFORE UPDATE OF case_no ON cases"
  " WHEN NEW.case_no IS NOT OLD.case_no BEGIN SELECT RAISE(ABORT, 'case numbers never change'); END;"

  "CREATE TABLE case_history ("
  "  id INTEGER PRIMARY KEY,"
  "  case_id INTEGER NOT NULL REFERENCES cases(id),"
  "  at INTEGER NOT NULL,"
  "  actor TEXT NOT NULL,"
  "  action TEXT NOT NULL,"
  "  changes TEXT NOT NULL);"
  "CREATE INDEX case_history_case ON case_history(case_id, id);"
  "CREATE TRIGGER case_history_no_update BEFORE UPDATE ON case_history"
  " BEGIN SELECT RAISE(ABORT, 'case history is append-only'); END;"
  "CREATE TRIGGER case_history_no_delete BEFORE DELETE ON case_history"
  " BEGIN SELECT RAISE(ABORT, 'case history is append-only'); END;"

  "CREATE TABLE case_notes ("
  "  id INTEGER PRIMARY KEY,"
  "  case_id INTEGER NOT NULL REFERENCES cases(id),"
  "  at INTEGER NOT NULL,"
  "  author TEXT NOT NULL,"
  "  text TEXT NOT NULL);"
  "CREATE INDEX case_notes_case ON case_notes(case_id, id);"

  "CREATE TABLE case_contacts ("
  "  id INTEGER PRIMARY KEY,"
  "  case_id INTEGER NOT NULL REFERENCES cases(id),"
  "  at INTEGER NOT NULL,"
  "  by_user TEXT NOT NULL,"
  "  method TEXT NOT NULL,"
  "  direction TEXT NOT NULL,"
  "  summary TEXT NOT NULL);"
  "CREATE INDEX case_contacts_case ON case_contacts(case_id, id);"

  "CREATE TABLE case_promises ("
  "  id INTEGER PRIMARY KEY,"
  "  case_id INTEGER NOT NULL REFERENCES cases(id),"
  "  created_at INTEGER NOT NULL,"
  "  by_user TEXT NOT NULL,"
  "  promise TEXT NOT NULL,"
  "  due_at INTEGER NOT NULL,"
  "  kept INTEGER,"
  "  settled_at INTEGER);"
  "CREATE INDEX case_promises_case ON case_promises(case_id, id);"
  "CREATE INDEX case_promises_open ON case_promises(due_at) WHERE kept IS NULL;";

/* Evidence (证据): files are kept outside the database, content-addressed by SHA-256 and
 * never altered; a row records each upload to a case. */
static const char m002_evidence[] =
  "CREATE TABLE case_evidence ("
  "  id INTEGER PRIMARY KEY,"
  "  case_id INTEGER NOT NULL REFERENCES cases(id),"
  "  at INTEGER NOT NULL,"
  "  by_user TEXT NOT NULL,"
  "  filename TEXT NOT NULL,"
  "  content_type TEXT NOT NULL,"
  "  size INTEGER NOT NULL,"
  "  sha256 TEXT NOT NULL);"
  "CREATE INDEX case_evidence_case ON case_evidence(case_id, id);"
  "CREATE TRIGGER case_evidence_no_update BEFORE UPDATE ON case_evidence"
  " BEGIN SELECT RAISE(ABORT, 'evidence is never altered'); END;"
  "CREATE TRIGGER case_evidence_no_delete BEFORE DELETE ON case_evidence"
  " BEGIN SELECT RAISE(ABORT, 'evidence is never deleted'); END;";

/* The lifecycle: where a pending case came from, the answers to the customer, the
 * follow-up, the milestones; proposals of solutions with their items. */
static const char m003_lifecycle[] =
  "ALTER TABLE cases ADD COLUMN invalid_reason TEXT;"
  "ALTER TABLE cases ADD COLUMN reply_to_customer TEXT;"
  "ALTER TABLE cases ADD COLUMN pending_from TEXT;"
  "ALTER TABLE cases ADD COLUMN pending_reason TEXT;"
  "ALTER TABLE cases ADD COLUMN pending_remind_on TEXT;"
  "ALTER TABLE cases ADD COLUMN withdraw_reason TEXT;"
  "ALTER TABLE cases ADD COLUMN proposal_no INTEGER;"
  "ALTER TABLE cases ADD COLUMN customer_consent INTEGER;"
  "ALTER TABLE cases ADD COLUMN chosen_option TEXT;"
  "ALTER TABLE cases ADD COLUMN summary TEXT;"
  "ALTER TABLE cases ADD COLUMN lessons TEXT;"
  "ALTER TABLE cases ADD COLUMN accepted_at INTEGER;"
  "ALTER TABLE cases ADD COLUMN assigned_at INTEGER;"
  "ALTER TABLE cases ADD COLUMN resolved_at INTEGER;"
  "ALTER TABLE cases ADD COLUMN closed_at INTEGER;"
  "ALTER TABLE cases ADD COLUMN fu_due_at INTEGER;"
  "ALTER TABLE cases ADD COLUMN fu_at INTEGER;"
  "ALTER TABLE cases ADD COLUMN fu_by TEXT;"
  "ALTER TABLE cases ADD COLUMN fu_method TEXT;"
  "ALTER TABLE cases ADD COLUMN fu_comment TEXT;"
  "ALTER TABLE cases ADD COLUMN fu_waived_reason TEXT;"
  "CREATE TABLE case_solutions ("
  "  id INTEGER PRIMARY KEY,"
  "  case_id INTEGER NOT NULL REFERENCES cases(id),"
  "  proposal_no INTEGER NOT NULL,"
  "  option TEXT NOT NULL DEFAULT '',"
  "  type TEXT NOT NULL,"
  "  amount_cents INTEGER NOT NULL DEFAULT 0,"
  "  description TEXT NOT NULL DEFAULT '',"
  "  proposed_by TEXT NOT NULL,"
  "  proposed_at INTEGER NOT NULL);"
  "CREATE INDEX case_solutions_case ON case_solutions(case_id, proposal_no, id);"
  /* Approval authority (核决权限, DOMAIN §6): the largest total a role may approve. */
  "CREATE TABLE approval_limits ("
  "  role TEXT PRIMARY KEY,"
  "  max_cents INTEGER,"          /* NULL: no limit */
  "  max_grade TEXT NOT NULL DEFAULT 'g4');" /* the highest grade it may approve for */
  "INSERT INTO approval_limits(role, max_cents, max_grade) VALUES"
  " ('handler', 50000, 'g2'),"
  " ('supervisor', 500000, 'g2'),"
  " ('dept_manager', 5000000, 'g4'),"
  " ('general_manager', NULL, 'g4');";

/* Grading rules (DOMAIN §4) as data, with the seeds' defaults; and what the cross-case
 * rules count by: a subject key (batch, else product, else order, else plate) and the
 * complainant's phone, each indexed with the time of receipt. */
static const char m004_grading[] =
  "CREATE TABLE grading_rules ("
  "  id TEXT PRIMARY KEY,"
  "  grade TEXT NOT NULL,"
  "  kind TEXT NOT NULL,"
  "  params TEXT NOT NULL DEFAULT '{}',"
  "  text_zh TEXT NOT NULL,"
  "  text_en TEXT NOT NULL,"
  "  active INTEGER NOT NULL DEFAULT 1,"
  "  sort INTEGER NOT NULL DEFAULT 0);"
  "INSERT INTO grading_rules(id, grade, kind, params, text_zh, text_en, sort) VALUES"
  " ('safety_related','g2','flag','{\"flag\":\"safety_related\"}','涉及安全系统或重要部件故障','Safety system or major component failure',10),"
  " ('repeat_after_handling','g2','reopened','{\"count\":1}','处理后同一问题再次投诉','The same issue complained again after handling',11),"
  " ('unusable_over_7_days','g2','unusable_days_over','{\"days\":7}','产品无法使用超过7天','Product unusable for more than 7 days',12),"
  " ('same_subject_3_customers_30d','g2','same_subject_customers','{\"count\":3,\"days\":30}','30天内3位以上不同客户投诉同一对象','3 or more customers complained about the same subject within 30 days',13),"
  " ('raised_twice','g2','raised_times','{\"count\":2}','客户反映2次以上仍未解决','The customer raised it 2 or more times without a result',15),"
  " ('repeat_complainant_2_90d','g2','repeat_complainant','{\"count\":2,\"days\":90}','同一客户90天内投诉2次以上','The same customer complained 2 or more times within 90 days',14),"
  " ('media_threat','g3','flag','{\"flag\":\"media_threat\"}','客户扬言曝光媒体','The customer threatens to go to the media',20),"
  " ('media_exposure','g3','flag','{\"flag\":\"media_exposure\"}','已被媒体曝光','Exposed in the media',21),"
  " ('external_channel','g3','external','{}','来自外部渠道（12315、消协、工信部、法院、媒体等）','Came through an external channel (12315, consumer association, MIIT, court, media)',22),"
  " ('regulator_threat','g3','flag','{\"flag\":\"regulator_threat\"}','客户扬言向12315/消协/主管部门投诉','The customer threatens to go to 12315, the consumer association or a regulator',23),"
  " ('lawsuit_threat','g3','flag','{\"flag\":\"lawsuit_threat\"}','客户扬言起诉','The customer threatens a lawsuit',24),"
  " ('vvip','g3','vvip','{}','VVIP客户','VVIP customer',25),"
  " ('similar_5_in_7d','g3','similar_cases','{\"count\":5,\"days\":7}','7天内5起以上同类投诉','5 or more similar cases within 7 days',26),"
  " ('open_over_30_days','g3','open_days_over','{\"days\":30}','投诉超过30天未结','Open for more than 30 days',27),"
  " ('major_loss','g3','loss_above','{\"cents\":5000000}','索赔或损失超过重大损失标准（默认5万元）','Claimed or actual loss above the major-loss threshold (¥50,000 by default)',28),"
  " ('injury','g4','flag','{\"flag\":\"injury\"}','造成人身伤害','Personal injury',40),"
  " ('fire','g4','flag','{\"flag\":\"fire\"}','发生火灾','Fire',41),"
  " ('accident','g4','flag','{\"flag\":\"accident\"}','发生事故','Accident',42),"
  " ('property_damage','g4','flag','{\"flag\":\"property_damage\"}','产品以外的财产损失','Property damage beyond the product',43),"
  " ('lawsuit_filed','g4','flag','{\"flag\":\"lawsuit_filed\"}','已起诉','Lawsuit filed',44),"
  " ('regulator_investigation','g4','flag','{\"flag\":\"regulator_investigation\"}','主管部门已介入调查','Regulator investigation',45);"
  "ALTER TABLE cases ADD COLUMN subject_key TEXT;"
  "CREATE INDEX cases_subject ON cases(subject_key, received_at) WHERE subject_key IS NOT NULL;"
  "CREATE INDEX cases_phone_received ON cases(c_phone, received_at) WHERE c_phone IS NOT NULL;"
  "DROP INDEX cases_phone;";

/* Accountability (问责) and improvement (内部改进措施, CAPA), DOMAIN §6; classification
 * of causes (人机料法环), stage and responsibility, and psychology tags (§4, §8). */
static const char m005_accountability[] =
  "CREATE TABLE case_improvements ("
  "  id INTEGER PRIMARY KEY,"
  "  case_id INTEGER NOT NULL REFERENCES cases(id),"
  "  kind TEXT NOT NULL,"
  "  description TEXT NOT NULL,"
  "  owner TEXT NOT NULL REFERENCES users(username),"
  "  due_on TEXT NOT NULL,"
  "  status TEXT NOT NULL DEFAULT 'open',"
  "  created_by TEXT NOT NULL,"
  "  created_at INTEGER NOT NULL,"
  "  done_at INTEGER);"
  "CREATE INDEX case_improvements_case ON case_improvements(case_id, id);"
  "CREATE INDEX case_improvements_open ON case_improvements(due_on) WHERE status = 'open';"
  "CREATE TABLE case_penalties ("
  "  id INTEGER PRIMARY KEY,"
  "  case_id INTEGER NOT NULL REFERENCES cases(id),"
  "  person TEXT NOT NULL,"
  "  kind TEXT NOT NULL,"
  "  amount_cents INTEGER,"
  "  share_pct INTEGER,"
  "  reason TEXT NOT NULL,"
  "  status TEXT NOT NULL DEFAULT 'proposed',"
  "  proposed_by TEXT NOT NULL, proposed_at INTEGER NOT NULL,"
  "  approved_by TEXT, approved_at INTEGER,"
  "  executed_by TEXT, executed_at INTEGER);"
  "CREATE INDEX case_penalties_case ON case_penalties(case_id, id);"
  "CREATE INDEX case_penalties_open ON case_penalties(status, proposed_at) WHERE status IN ('proposed','approved');"
  "ALTER TABLE cases ADD COLUMN root_cause TEXT;"
  "ALTER TABLE cases ADD COLUMN service_stage TEXT;"
  "ALTER TABLE cases ADD COLUMN responsibility TEXT;"
  "ALTER TABLE cases ADD COLUMN psychology TEXT;"
  "CREATE TABLE service_stages ("
  "  code TEXT PRIMARY KEY, name_zh TEXT NOT NULL, name_en TEXT NOT NULL,"
  "  sort INTEGER NOT NULL DEFAULT 0, active INTEGER NOT NULL DEFAULT 1);"
  "INSERT INTO service_stages(code, name_zh, name_en, sort) VALUES"
  " ('booking','预约','Booking',1), ('preparation','准备','Preparation',2),"
  " ('reception','接车/制单','Reception and work order',3), ('repair','维修','Repair',4),"
  " ('quality_check','质检','Quality check',5), ('delivery','交车/结帐','Delivery and billing',6),"
  " ('follow_up','跟踪','Follow-up',7), ('sales','销售','Sales',8), ('logistics','物流配送','Logistics',9),"
  " ('after_sales','售后服务','After-sales service',10), ('other','其他','Other',99);"
  "CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
  "INSERT INTO settings(key, value) VALUES ('hr_review_threshold_cents', '50000000');";

/* Routing (DOMAIN §4): category (and, optionally, a unit whose outlets it covers) →
 * responsible department. Escalation: who must be involved at each grade; targets are
 * "outlet" (the receiving outlet), "region" (the region above it), "unit:<code>" or
 * "role:<role>"; a target that names nothing in the organisation is skipped. Each tier a
 * case reaches is written as notices to deliver (the outbox). */
static const char m006_routing[] =
  "CREATE TABLE routes ("
  "  id INTEGER PRIMARY KEY,"
  "  category TEXT REFERENCES categories(code),"
  "  unit_id INTEGER REFERENCES org_units(id),"
  "  dept_id INTEGER NOT NULL REFERENCES org_units(id),"
  "  priority INTEGER NOT NULL DEFAULT 100,"
  "  created_at INTEGER NOT NULL);"
  "CREATE INDEX routes_category ON routes(category);"
  "CREATE TABLE escalation_tiers ("
  "  grade TEXT NOT NULL,"
  "  target TEXT NOT NULL,"
  "  PRIMARY KEY (grade, target)) WITHOUT ROWID;"
  "INSERT INTO escalation_tiers(grade, target) VALUES"
  " ('g1','outlet'),"
  " ('g2','region'), ('g2','unit:QA'),"
  " ('g3','unit:CR'), ('g3','unit:LEGAL'), ('g3','unit:PR'),"
  " ('g4','role:general_manager'), ('g4','unit:MGMT');"
  "ALTER TABLE cases ADD COLUMN escalation_tier INTEGER;"
  "CREATE TABLE case_notices ("
  "  id INTEGER PRIMARY KEY,"
  "  case_id INTEGER NOT NULL REFERENCES cases(id),"
  "  grade TEXT NOT NULL,"
  "  target TEXT NOT NULL,"
  "  recipient TEXT NOT NULL,"
  "  reason TEXT NOT NULL,"
  "  created_at INTEGER NOT NULL,"
  "  delivered_at INTEGER);"
  "CREATE INDEX case_notices_case ON case_notices(case_id, id);"
  "CREATE INDEX case_notices_undelivered ON case_notices(created_at) WHERE delivered_at IS NULL;";

/* The case library (案例汇编, DOMAIN §10): anonymised write-ups of closed cases in the
 * seeds' four sections. */
static const char m007_library[] =
  "CREATE TABLE case_writeups ("
  "  id INTEGER PRIMARY KEY,"
  "  case_id INTEGER NOT NULL UNIQUE REFERENCES cases(id),"
  "  title TEXT NOT NULL,"
  "  scenario TEXT NOT NULL,"         /* 情景回放 */
  "  analysis TEXT NOT NULL,"         /* 案例分析 */
  "  correct_practice TEXT NOT NULL," /* 正确做法 */
  "  solution TEXT NOT NULL,"         /* 解决方案和建议 */
  "  category TEXT, service_stage TEXT, grade TEXT,"
  "  status TEXT NOT NULL DEFAULT 'draft',"
  "  created_by TEXT NOT NULL, created_at INTEGER NOT NULL,"
  "  updated_at INTEGER NOT NULL, published_at INTEGER);"
  "CREATE INDEX case_writeups_status ON case_writeups(status, id);";

/* Losses by root cause, for the HR-review threshold (DOMAIN §6); the rest of DOMAIN §4's
 * triggers: unauthorised promises by staff, rework because of repair quality, a
 * frequent-failure history (flags a person records), and three departments involved. */
static const char m008_root_cause_index[] =
  "CREATE INDEX cases_root_cause ON cases(root_cause) WHERE root_cause IS NOT NULL;"
  "ALTER TABLE cases ADD COLUMN f_unauthorised_promise INTEGER NOT NULL DEFAULT 0;"
  "ALTER TABLE cases ADD COLUMN f_rework INTEGER NOT NULL DEFAULT 0;"
  "ALTER TABLE cases ADD COLUMN f_frequent_failure INTEGER NOT NULL DEFAULT 0;"
  "INSERT INTO grading_rules(id, grade, kind, params, text_zh, text_en, sort) VALUES"
  " ('unauthorised_promise','g2','flag','{\"flag\":\"unauthorised_promise\"}','员工作出越权承诺','Staff made unauthorised promises',16),"
  " ('rework','g2','flag','{\"flag\":\"rework\"}','因维修质量返工','Rework because of repair quality',17),"
  " ('frequent_failure','g3','flag','{\"flag\":\"frequent_failure\"}','有频繁故障历史','Frequent-failure history',29),"
  " ('three_departments','g3','depts_involved','{\"count\":3}','涉及3个以上部门','3 or more departments involved',30);";


/* Time limits (DOMAIN §5) and notifications (§12). The working calendar: weekdays and
 * hours, plus each year's exceptions — public holidays and the make-up working days
 * (调休) of the State Council's notices for 2025 and 2026 (later years are imported with
 * `tousu calendar import` or POST /api/v1/calendar/import). Clocks as data: what starts,
 * stops, pauses and resumes each one (clock_defs), and how long it runs at each grade
 * (clock_limits: h/d calendar, wh/wd working time, an optional longer amount when the
 * customer cannot be reached). Each case's clocks are rows (case_clocks) with the next
 * instant the scheduler must look at them (next_at, indexed); breaches leave a delay row
 * against the holder. Every notification is a row written with the change that caused
 * it: in-app (notifications) and deliveries (outbox: e-mail, webhooks), each keyed by its
 * event so nothing is written twice. Letter templates in Chinese and English. */
static const char m009_sla[] =
  "CREATE TABLE calendar ("
  "  id INTEGER PRIMARY KEY CHECK (id = 1),"
  "  weekdays INTEGER NOT NULL,"
  "  hours TEXT NOT NULL,"
  "  updated_at INTEGER NOT NULL DEFAULT 0);"
  "INSERT INTO calendar(id, weekdays, hours) VALUES (1, 31, '09:00-12:00,13:00-18:00');"
  "CREATE TABLE calendar_days ("
  "  day TEXT PRIMARY KEY,"
  "  working INTEGER NOT NULL,"
  "  name TEXT NOT NULL DEFAULT '') WITHOUT ROWID;"
  "INSERT INTO calendar_days(day, working, name) VALUES"
  " ('2025-01-01',0,'元旦'),"
  " ('2025-01-26',1,'春节调休'),('2025-01-28',0,'春节'),('2025-01-29',0,'春节'),('2025-01-30',0,'春节'),"
  " ('2025-01-31',0,'春节'),('2025-02-01',0,'春节'),('2025-02-02',0,'春节'),('2025-02-03',0,'春节'),"
  " ('2025-02-04',0,'春节'),('2025-02-08',1,'春节调休'),"
  " ('2025-04-04',0,'清明节'),('2025-04-05',0,'清明节'),('2025-04-06',0,'清明节'),"
  " ('2025-04-27',1,'劳动节调休'),('2025-05-01',0,'劳动节'),('2025-05-02',0,'劳动节'),"
  " ('2025-05-03',0,'劳动节'),('2025-05-04',0,'劳动节'),('2025-05-05',0,'劳动节'),"
  " ('2025-05-31',0,'端午节'),('2025-06-01',0,'端午节'),('2025-06-02',0,'端午节'),"
  " ('2025-09-28',1,'国庆节调休'),('2025-10-01',0,'国庆节、中秋节'),('2025-10-02',0,'国庆节、中秋节'),"
  " ('2025-10-03',0,'国庆节、中秋节'),('2025-10-04',0,'国庆节、中秋节'),('2025-10-05',0,'国庆节、中秋节'),"
  " ('2025-10-06',0,'国庆节、中秋节'),('2025-10-07',0,'国庆节、中秋节'),('2025-10-08',0,'国庆节、中秋节'),"
  " ('2025-10-11',1,'国庆节调休'),"
  " ('2026-01-01',0,'元旦'),('2026-01-02',0,'元旦'),('2026-01-03',0,'元旦'),('2026-01-04',1,'元旦调休'),"
  " ('2026-02-14',1,'春节调休'),('2026-02-15',0,'春节'),('2026-02-16',0,'春节'),('2026-02-17',0,'春节'),"
  " ('2026-02-18',0,'春节'),('2026-02-19',0,'春节'),('2026-02-20',0,'春节'),('2026-02-21',0,'春节'),"
  " ('2026-02-22',0,'春节'),('2026-02-23',0,'春节'),('2026-02-28',1,'春节调休'),"
  " ('2026-04-04',0,'清明节'),('2026-04-05',0,'清明节'),('2026-04-06',0,'清明节'),"
  " ('2026-05-01',0,'劳动节'),('2026-05-02',0,'劳动节'),('2026-05-03',0,'劳动节'),('2026-05-04',0,'劳动节'),"
  " ('2026-05-05',0,'劳动节'),('2026-05-09',1,'劳动节调休'),"
  " ('2026-06-19',0,'端午节'),('2026-06-20',0,'端午节'),('2026-06-21',0,'端午节'),"
  " ('2026-09-20',1,'国庆节调休'),('2026-09-25',0,'中秋节'),('2026-09-26',0,'中秋节'),('2026-09-27',0,'中秋节'),"
  " ('2026-10-01',0,'国庆节'),('2026-10-02',0,'国庆节'),('2026-10-03',0,'国庆节'),('2026-10-04',0,'国庆节'),"
  " ('2026-10-05',0,'国庆节'),('2026-10-06',0,'国庆节'),('2026-10-07',0,'国庆节'),('2026-10-10',1,'国庆节调休');"

  "CREATE TABLE clock_defs ("
  "  name TEXT PRIMARY KEY,"
  "  channel TEXT NOT NULL DEFAULT '',"   /* '' every case, else cases of this channel only */
  "  start_on TEXT NOT NULL,"             /* comma-separated events */
  "  stop_on TEXT NOT NULL,"
  "  pause_on TEXT NOT NULL DEFAULT '',"
  "  resume_on TEXT NOT NULL DEFAULT '',"
  "  holder TEXT NOT NULL,"               /* owner, handler or dept */
  "  text_zh TEXT NOT NULL, text_en TEXT NOT NULL,"
  "  sort INTEGER NOT NULL DEFAULT 0,"
  "  active INTEGER NOT NULL DEFAULT 1);"
  "INSERT INTO clock_defs(name, channel, start_on, stop_on, pause_on, resume_on, holder, text_zh, text_en, sort) VALUES"
  " ('register','','received','register','','','owner','一线人员接报后登记','Registered after a frontline person heard it',1),"
  " ('acknowledge','','received','accept,letter:acknowledgement','','','owner','受理（受理函）','Acknowledged (受理函)',2),"
  " ('first_contact','','assign','contact,resolve','','','handler','处理人首次联系客户','First contact by the handler',3),"
  " ('solution','','assign','propose','','','handler','确定责任并提出方案','Responsibility determined and solution proposed',4),"
  " ('approval','','propose','approve,send_back','','','dept','审批决定','Approval decision',5),"
  " ('resolve','','received,reopen','resolve','suspend','resume','handler','处理完毕','Resolved',6),"
  " ('follow_up','','resolve','follow_up','','','owner','处理后回访','Follow-up visit after resolution',7),"
  " ('site_visit','','site_visit','visit','','','handler','需要时现场勘查','Site visit when needed',8),"
  " ('odr_12315','regulator_12315','received','resolve','','','handler','12315平台在线纠纷解决：协商结果登记','12315 ODR: negotiation result recorded on the platform',9),"
  " ('miit_answer','miit','received','resolve','','','handler','工信部申诉：30日内答复','MIIT appeal: answered within 30 days',10);"
  "CREATE TABLE clock_limits ("
  "  name TEXT NOT NULL REFERENCES clock_defs(name),"
  "  grade TEXT NOT NULL,"
  "  amount INTEGER NOT NULL,"
  "  unit TEXT NOT NULL,"                 /* min, h, d (calendar) or wh, wd (working) */
  "  unreachable_amount INTEGER,"         /* when the customer cannot be reached */
  "  PRIMARY KEY (name, grade)) WITHOUT ROWID;"
  "INSERT INTO clock_limits(name, grade, amount, unit, unreachable_amount) VALUES"
  " ('register','g1',1,'h',NULL),('register','g2',1,'h',NULL),('register','g3',1,'h',NULL),('register','g4',1,'h',NULL),"
  " ('acknowledge','g1',24,'h',NULL),('acknowledge','g2',24,'h',NULL),('acknowledge','g3',4,'h',NULL),('acknowledge','g4',2,'h',NULL),"
  " ('first_contact','g1',24,'h',48),('first_contact','g2',24,'h',NULL),('first_contact','g3',4,'h',NULL),('first_contact','g4',1,'h',NULL),"
  " ('solution','g1',24,'h',48),('solution','g2',24,'h',NULL),('solution','g3',24,'h',NULL),('solution','g4',24,'h',NULL),"
  " ('approval','g1',4,'h',NULL),('approval','g2',4,'h',NULL),('approval','g3',4,'h',NULL),('approval','g4',2,'h',NULL),"
  " ('resolve','g1',5,'wd',NULL),('resolve','g2',10,'wd',NULL),('resolve','g3',15,'wd',NULL),('resolve','g4',30,'wd',NULL),"
  " ('follow_up','g1',24,'h',NULL),('follow_up','g2',24,'h',NULL),('follow_up','g3',24,'h',NULL),('follow_up','g4',24,'h',NULL),"
  " ('site_visit','g1',2,'wd',NULL),('site_visit','g2',2,'wd',NULL),('site_visit','g3',2,'wd',NULL),('site_visit','g4',1,'wd',NULL),"
  " ('odr_12315','g1',10,'wd',NULL),('odr_12315','g2',10,'wd',NULL),('odr_12315','g3',10,'wd',NULL),('odr_12315','g4',10,'wd',NULL),"
  " ('miit_answer','g1',30,'d',NULL),('miit_answer','g2',30,'d',NULL),('miit_answer','g3',30,'d',NULL),('miit_answer','g4',30,'d',NULL);"

  "CREATE TABLE case_clocks ("
  "  id INTEGER PRIMARY KEY,"
  "  case_id INTEGER NOT NULL REFERENCES cases(id),"
  "  name TEXT NOT NULL,"
  "  seq INTEGER NOT NULL,"
  "  state TEXT NOT NULL,"               /* running, paused, met, breached */
  "  working INTEGER NOT NULL,"
  "  unreachable INTEGER NOT NULL DEFAULT 0,"
  "  warned INTEGER NOT NULL DEFAULT 0,"
  "  duration INTEGER NOT NULL,"         /* seconds of working or calendar time */
  "  used INTEGER NOT NULL DEFAULT 0,"   /* counted before seg_start (pauses) */
  "  started_at INTEGER NOT NULL,"
  "  seg_start INTEGER NOT NULL,"
  "  warn_at INTEGER, due_at INTEGER,"
  "  next_at INTEGER,"                   /* when the scheduler must look again; NULL: never */
  "  stopped_at INTEGER, breached_at INTEGER,"
  "  UNIQUE (case_id, name, seq));"
  "CREATE INDEX case_clocks_next ON case_clocks(next_at) WHERE next_at IS NOT NULL;"
  "CREATE INDEX case_clocks_open ON case_clocks(due_at) WHERE stopped_at IS NULL AND state != 'paused';"
  "CREATE TABLE case_delays ("
  "  id INTEGER PRIMARY KEY,"
  "  case_id INTEGER NOT NULL REFERENCES cases(id),"
  "  clock_id INTEGER NOT NULL UNIQUE REFERENCES case_clocks(id),"
  "  clock TEXT NOT NULL,"
  "  holder TEXT NOT NULL,"              /* username, or '' when nobody held it by name */
  "  unit_id INTEGER,"
  "  due_at INTEGER NOT NULL,"
  "  breached_at INTEGER NOT NULL,"
  "  recorded_at INTEGER NOT NULL);"
  "CREATE INDEX case_delays_holder ON case_delays(holder, id);"
  "CREATE INDEX case_delays_case ON case_delays(case_id, id);"
  "ALTER TABLE cases ADD COLUMN sla_level INTEGER;"
  "ALTER TABLE cases ADD COLUMN escalated_to INTEGER;"
  "ALTER TABLE cases ADD COLUMN site_visit_needed INTEGER NOT NULL DEFAULT 0;"
  "ALTER TABLE case_contacts ADD COLUMN reached INTEGER NOT NULL DEFAULT 1;"

  "CREATE TABLE notifications ("
  "  id INTEGER PRIMARY KEY,"
  "  username TEXT NOT NULL,"
  "  case_id INTEGER REFERENCES cases(id),"
  "  event TEXT NOT NULL,"
  "  kind TEXT NOT NULL,"
  "  title TEXT NOT NULL,"
  "  body TEXT NOT NULL,"
  "  created_at INTEGER NOT NULL,"
  "  read_at INTEGER,"
  "  UNIQUE (event, username));"
  "CREATE INDEX notifications_user ON notifications(username, id);"
  "CREATE TABLE outbox ("
  "  id INTEGER PRIMARY KEY,"
  "  event TEXT NOT NULL,"
  "  kind TEXT NOT NULL,"                /* email, webhook */
  "  target TEXT NOT NULL,"              /* an address, or 'webhook:<id>' */
  "  case_id INTEGER REFERENCES cases(id),"
  "  subject TEXT NOT NULL DEFAULT '',"
  "  body TEXT NOT NULL,"
  "  html TEXT,"
  "  created_at INTEGER NOT NULL,"
  "  next_at INTEGER NOT NULL,"
  "  attempts INTEGER NOT NULL DEFAULT 0,"
  "  status TEXT NOT NULL DEFAULT 'pending',"  /* pending, sent, failed */
  "  sent_at INTEGER,"
  "  last_error TEXT,"
  "  UNIQUE (event, kind, target));"
  "CREATE INDEX outbox_due ON outbox(next_at) WHERE status = 'pending';"
  "CREATE INDEX outbox_status ON outbox(status, id);"
  "CREATE TABLE webhooks ("
  "  id INTEGER PRIMARY KEY,"
  "  url TEXT NOT NULL,"
  "  secret TEXT NOT NULL,"
  "  events TEXT NOT NULL DEFAULT '*',"
  "  active INTEGER NOT NULL DEFAULT 1,"
  "  created_at INTEGER NOT NULL);"
  "CREATE TABLE letter_templates ("
  "  code TEXT NOT NULL,"
  "  lang TEXT NOT NULL,"
  "  subject TEXT NOT NULL,"
  "  body TEXT NOT NULL,"
  "  updated_at INTEGER NOT NULL DEFAULT 0,"
  "  updated_by TEXT NOT NULL DEFAULT '',"
  "  PRIMARY KEY (code, lang)) WITHOUT ROWID;"
  "INSERT INTO letter_templates(code, lang, subject, body) VALUES"
  " ('acknowledgement','zh','投诉受理函（{{case_no}}）','尊敬的{{customer_name}}：\n\n您于{{received_at}}反映的问题（{{title}}）我们已于{{accepted_at}}受理，受理编号为{{case_no}}。我们将在{{answer_due}}之前给您答复。如有疑问，请凭受理编号与我们联系。\n\n感谢您的信任与监督。\n\n{{org_name}}\n{{today}}'),"
  " ('acknowledgement','en','Your complaint {{case_no}} has been received','Dear {{customer_name}},\n\nWe received your complaint ({{title}}) of {{received_at}} and accepted it on {{accepted_at}} under the reference {{case_no}}. We will answer you by {{answer_due}}. Please quote the reference when you contact us.\n\nThank you for your trust.\n\n{{org_name}}\n{{today}}'),"
  " ('result','zh','投诉处理结果通知（{{case_no}}）','尊敬的{{customer_name}}：\n\n关于您反映的问题（受理编号{{case_no}}），处理结果如下：\n\n{{reply}}\n\n如您对处理结果有任何意见，欢迎随时与我们联系。\n\n{{org_name}}\n{{today}}'),"
  " ('result','en','The result of your complaint {{case_no}}','Dear {{customer_name}},\n\nAbout your complaint {{case_no}}, this is what we have done:\n\n{{reply}}\n\nIf you have any comment on the result, please tell us.\n\n{{org_name}}\n{{today}}'),"
  " ('apology','zh','致歉函（{{case_no}}）','尊敬的{{customer_name}}：\n\n对于{{title}}给您带来的不便和困扰，我们深表歉意。我们已查明原因并采取改进措施，防止类似问题再次发生。\n\n再次向您致歉，感谢您的理解与支持。\n\n{{org_name}}\n{{today}}'),"
  " ('apology','en','Our apology ({{case_no}})','Dear {{customer_name}},\n\nWe sincerely apologise for the trouble that {{title}} caused you. We have found the cause and taken measures so that it does not happen again.\n\nThank you for your understanding.\n\n{{org_name}}\n{{today}}'),"
  " ('survey','zh','满意度回访邀请（{{case_no}}）','尊敬的{{customer_name}}：\n\n您反映的问题（受理编号{{case_no}}）已处理完毕。为改进我们的服务，诚邀您对本次处理进行评价（1至5分），直接回复本邮件或致电我们即可。\n\n{{org_name}}\n{{today}}'),"
  " ('survey','en','How did we do? ({{case_no}})','Dear {{customer_name}},\n\nYour complaint {{case_no}} has been resolved. Please tell us how satisfied you are (1 to 5) by replying to this message or calling us.\n\n{{org_name}}\n{{today}}'),"
  " ('pending_reminder','zh','未了事宜进展告知（{{case_no}}）','尊敬的{{customer_name}}：\n\n您反映的问题（受理编号{{case_no}}）仍在处理中：{{pending_reason}}。我们会持续跟进，并在有进展时第一时间与您联系。\n\n{{org_name}}\n{{today}}'),"
  " ('pending_reminder','en','Your complaint {{case_no}} is still being handled','Dear {{customer_name}},\n\nYour complaint {{case_no}} is still open: {{pending_reason}}. We keep working on it and will contact you as soon as there is progress.\n\n{{org_name}}\n{{today}}'),"
  " ('sla_warning','zh','【时限预警】{{case_no}} {{clock_name}}将于{{due_at}}到期','投诉{{case_no}}（{{title}}，{{grade}}级）的时限“{{clock_name}}”已用去80%，将于{{due_at}}到期。当前负责人：{{holder}}。请尽快处理。'),"
  " ('sla_warning','en','[Due soon] {{case_no}}: {{clock_name}} due {{due_at}}','Case {{case_no}} ({{title}}, grade {{grade}}): 80% of the time for \"{{clock_name}}\" is used; it is due at {{due_at}}. Held by {{holder}}. Please act now.'),"
  " ('sla_breach','zh','【超时升级】{{case_no}} {{clock_name}}已超时','投诉{{case_no}}（{{title}}，{{grade}}级）的时限“{{clock_name}}”已于{{due_at}}到期未完成，已标记超时并升级至{{escalated_to}}。延误记录在{{holder}}名下。'),"
  " ('sla_breach','en','[Overdue] {{case_no}}: {{clock_name}} was due {{due_at}}','Case {{case_no}} ({{title}}, grade {{grade}}): \"{{clock_name}}\" was due at {{due_at}} and is not done. The case is marked overdue and escalated to {{escalated_to}}; the delay is recorded against {{holder}}.'),"
  " ('escalation','zh','【投诉升级】{{case_no}}已升为{{grade}}级','投诉{{case_no}}（{{title}}）已升为{{grade}}级：{{reason}}。按升级规定，请贵部门/您参与处理。'),"
  " ('escalation','en','[Escalated] {{case_no}} is now grade {{grade}}','Case {{case_no}} ({{title}}) is now grade {{grade}}: {{reason}}. By the escalation rules you must be involved.'),"
  " ('pending_items','zh','【未了事宜】{{month}}月度提醒：{{case_no}}','投诉{{case_no}}（{{title}}）仍为未了事宜：{{pending_reason}}。请联系客户告知进展。'),"
  " ('pending_items','en','[Pending items] {{month}} reminder: {{case_no}}','Case {{case_no}} ({{title}}) is still pending: {{pending_reason}}. Please tell the customer how it stands.');"
  "INSERT INTO settings(key, value) VALUES ('sla_warn_pct','80'), ('pending_reminder_day','4'),"
  " ('outbox_max_attempts','8'), ('outbox_backoff_seconds','60'), ('auto_acknowledge','1');";

/* Full-text search (issue 7): one document per case and one per library write-up, in FTS5
 * tables tokenized by ICU words (the tokenizer "tousu", store/fts.h). The case document is
 * composed by one SELECT (TS_FTS_CASE_DOC), which the triggers run whenever a text it reads
 * changes, in the same transaction as the change; the initial fill (and `tousu search
 * rebuild`) runs the same SELECT over every case. Phones are indexed by their digits.
 *
 * The case's last column, scope, holds who may see it as words (ts_scope, core/perm.h):
 * "o1 o4 o25" for the units above and at its outlet, "d..." for its department's, and
 * "u<hex of the username>" for its owner and handler. A search by someone who sees only
 * part of the cases adds "scope : (...)" to its MATCH, so the index itself keeps out what
 * they may not see (org units never change parent, so the paths stay true). */
#define TS_FTS_CASE_DOC(where)                                                                 \
  "INSERT OR REPLACE INTO case_fts(rowid, case_no, title, body, name, phone, product, order_no," \
  " plate, outlet, notes, scope) SELECT c.id, c.case_no, c.title,"                                    \
  " coalesce(c.description,'') || char(10) || coalesce(c.demand_detail,'') || char(10) ||"     \
  " coalesce(c.summary,'') || char(10) || coalesce(c.lessons,'') || char(10) ||"               \
  " coalesce(c.reply_to_customer,'') || char(10) || coalesce(c.pending_reason,'') || char(10) ||" \
  " coalesce(c.withdraw_reason,'') || char(10) || coalesce(c.chosen_option,'') || char(10) ||" \
  " coalesce(c.fu_comment,'') || char(10) || coalesce(c.fu_waived_reason,''),"                 \
  " coalesce(c.c_name,'') || ' ' || coalesce(c.s_employee,''), tousu_digits(c.c_phone),"       \
  " coalesce(c.s_product,'') || ' ' || coalesce(c.s_sku,'') || ' ' || coalesce(c.s_batch,'') ||" \
  " ' ' || coalesce(c.s_vin,''), c.s_order_no, c.s_plate, c.s_outlet,"                         \
  " coalesce((SELECT group_concat(text, char(10)) FROM case_notes WHERE case_id = c.id),'') ||" \
  " char(10) || coalesce((SELECT group_concat(summary, char(10)) FROM case_contacts"           \
  " WHERE case_id = c.id),'') || char(10) || coalesce((SELECT group_concat(description,"       \
  " char(10)) FROM case_solutions WHERE case_id = c.id),'') || char(10) ||"                    \
  " coalesce((SELECT group_concat(promise, char(10)) FROM case_promises WHERE case_id = c.id),'')," \
  " coalesce((SELECT 'o' || replace(trim(path, '/'), '/', ' o') FROM org_units"                 \
  " WHERE id = c.outlet_id), '') || ' ' || coalesce((SELECT 'd' || replace(trim(path, '/'),"    \
  " '/', ' d') FROM org_units WHERE id = c.dept_id), '') || ' u' || hex(c.owner) ||"           \
  " coalesce(' u' || hex(c.handler), '')"                                                      \
  " FROM cases c " where ";"
#define TS_FTS_WRITEUP_DOC(where)                                                              \
  "INSERT OR REPLACE INTO writeup_fts(rowid, title, scenario, analysis, correct_practice,"     \
  " solution) SELECT w.id, w.title, w.scenario, w.analysis, w.correct_practice, w.solution"    \
  " FROM case_writeups w " where ";"
/* A trigger that re-indexes one case (whose id is the expression `id`). */
#define TS_FTS_REINDEX(name, event, when, id)                                                  \
  "CREATE TRIGGER " name " " event " " when " BEGIN " TS_FTS_CASE_DOC("WHERE c.id = " id) " END;"

/* The two indexes, and rank = bm25 with column weights (tousu_bm25, store_search.c: bm25 with
 * an estimated IDF): a case number, phone, order or plate that matches says more than a word
 * of the description, and a note's word less. */
#define TS_FTS_CREATE                                                                          \
  "CREATE VIRTUAL TABLE case_fts USING fts5(case_no, title, body, name, phone, product,"       \
  " order_no, plate, outlet, notes, scope, tokenize = 'tousu');"                               \
  "CREATE VIRTUAL TABLE writeup_fts USING fts5(title, scenario, analysis, correct_practice,"   \
  " solution, tokenize = 'tousu');"                                                            \
  "INSERT INTO case_fts(case_fts, rank) VALUES"                                                \
  " ('rank', 'tousu_bm25(10.0, 5.0, 1.0, 3.0, 5.0, 3.0, 5.0, 5.0, 2.0, 0.5, 0.0)');"           \
  "INSERT INTO writeup_fts(writeup_fts, rank) VALUES ('rank', 'tousu_bm25(5.0, 1.0, 1.0, 1.0, 1.0)');"

static const char m010_search[] =
  TS_FTS_CREATE
  TS_FTS_REINDEX("case_fts_insert", "AFTER INSERT ON cases", "", "NEW.id")
  TS_FTS_REINDEX("case_fts_update", "AFTER UPDATE ON cases",
                 "WHEN NEW.title IS NOT OLD.title OR NEW.description IS NOT OLD.description"
                 " OR NEW.demand_detail IS NOT OLD.demand_detail OR NEW.summary IS NOT OLD.summary"
                 " OR NEW.lessons IS NOT OLD.lessons OR NEW.reply_to_customer IS NOT OLD.reply_to_customer"
                 " OR NEW.pending_reason IS NOT OLD.pending_reason"
                 " OR NEW.withdraw_reason IS NOT OLD.withdraw_reason"
                 " OR NEW.chosen_option IS NOT OLD.chosen_option OR NEW.fu_comment IS NOT OLD.fu_comment"
                 " OR NEW.fu_waived_reason IS NOT OLD.fu_waived_reason OR NEW.c_name IS NOT OLD.c_name"
                 " OR NEW.s_employee IS NOT OLD.s_employee OR NEW.c_phone IS NOT OLD.c_phone"
                 " OR NEW.s_product IS NOT OLD.s_product OR NEW.s_sku IS NOT OLD.s_sku"
                 " OR NEW.s_batch IS NOT OLD.s_batch OR NEW.s_vin IS NOT OLD.s_vin"
                 " OR NEW.s_order_no IS NOT OLD.s_order_no OR NEW.s_plate IS NOT OLD.s_plate"
                 " OR NEW.s_outlet IS NOT OLD.s_outlet OR NEW.outlet_id IS NOT OLD.outlet_id"
                 " OR NEW.dept_id IS NOT OLD.dept_id OR NEW.owner IS NOT OLD.owner"
                 " OR NEW.handler IS NOT OLD.handler", "NEW.id")
  TS_FTS_REINDEX("case_fts_note_insert", "AFTER INSERT ON case_notes", "", "NEW.case_id")
  TS_FTS_REINDEX("case_fts_note_update", "AFTER UPDATE ON case_notes", "", "NEW.case_id")
  TS_FTS_REINDEX("case_fts_note_delete", "AFTER DELETE ON case_notes", "", "OLD.case_id")
  TS_FTS_REINDEX("case_fts_contact_insert", "AFTER INSERT ON case_contacts", "", "NEW.case_id")
  TS_FTS_REINDEX("case_fts_contact_update", "AFTER UPDATE ON case_contacts", "", "NEW.case_id")
  TS_FTS_REINDEX("case_fts_contact_delete", "AFTER DELETE ON case_contacts", "", "OLD.case_id")
  TS_FTS_REINDEX("case_fts_solution_insert", "AFTER INSERT ON case_solutions", "", "NEW.case_id")
  TS_FTS_REINDEX("case_fts_solution_update", "AFTER UPDATE ON case_solutions", "", "NEW.case_id")
  TS_FTS_REINDEX("case_fts_solution_delete", "AFTER DELETE ON case_solutions", "", "OLD.case_id")
  TS_FTS_REINDEX("case_fts_promise_insert", "AFTER INSERT ON case_promises", "", "NEW.case_id")
  TS_FTS_REINDEX("case_fts_promise_update", "AFTER UPDATE OF promise ON case_promises", "", "NEW.case_id")
  "CREATE TRIGGER writeup_fts_insert AFTER INSERT ON case_writeups BEGIN "
  TS_FTS_WRITEUP_DOC("WHERE w.id = NEW.id") " END;"
  "CREATE TRIGGER writeup_fts_update AFTER UPDATE ON case_writeups BEGIN "
  TS_FTS_WRITEUP_DOC("WHERE w.id = NEW.id") " END;"
  "CREATE TRIGGER writeup_fts_delete AFTER DELETE ON case_writeups BEGIN "
  "DELETE FROM writeup_fts WHERE rowid = OLD.id; END;"
  TS_FTS_CASE_DOC("")
  TS_FTS_WRITEUP_DOC("")
  /* Repeat complaints (DOMAIN §4, issue 7): the same customer by customer id, or by name at
   * the same outlet (the phone has its index since migration 4); open cases by subject for
   * the group-complaint view (a partial index: only cases still open). */
  "CREATE INDEX cases_customer ON cases(c_customer_id, received_at) WHERE c_customer_id IS NOT NULL;"
  "CREATE INDEX cases_name_outlet ON cases(c_name, outlet_id, received_at);"
  "CREATE INDEX cases_open_subject ON cases(subject_key, received_at) WHERE subject_key IS NOT NULL"
  " AND status NOT IN ('closed','rejected','withdrawn');";

/* The analysis report (issue 6, DOMAIN §9; report/report.h). What a month's report reads,
 * so that it never visits a case's whole row:
 *  - two covering indexes: the cases received in a period (classification, places, the
 *    complainant and subject keys, the clocks' outcomes) and those finished in it (times,
 *    satisfaction, every loss component);
 *  - cases.sla_clocks, the outcome of each of the case's clocks as text ("register:m
 *    resolve:b follow_up:r": r running, p paused, m met, b breached, one per clock row in id
 *    order), kept by triggers on case_clocks;
 *  - report_days, the cases received and finished per local day, outlet and department,
 *    kept by triggers on cases (tousu_day(t): t's local date in the organisation's zone,
 *    store/fts.h): twelve months of trend without counting cases;
 *  - the stored monthly reports (the scheduler makes one on the 1st for the month before)
 *    and who receives them (report_recipient_roles: a role bit set, perm.h; default the
 *    general manager and the reviewers: the roles that see the whole organisation). */
#define TS_REPORT_DAY_ADD(col, t, o, d, n)                                                     \
  "INSERT INTO report_days(day, outlet_id, dept_id, " col ") SELECT tousu_day(" t "),"        \
  " coalesce(" o ", 0), coalesce(" d ", 0), " n " WHERE " t " IS NOT NULL"                     \
  " ON CONFLICT(day, outlet_id, dept_id) DO UPDATE SET " col " = " col " + excluded." col ";"
#define TS_SLA_CLOCKS(id)                                                                      \
  "UPDATE cases SET sla_clocks = (SELECT group_concat(name || ':' || substr(state, 1, 1), ' ')" \
  " FROM (SELECT name, state FROM case_clocks WHERE case_id = " id " ORDER BY id)) WHERE id = " id ";"
static const char m011_report[] =
  "ALTER TABLE cases ADD COLUMN sla_clocks TEXT;"
  "UPDATE cases SET sla_clocks = (SELECT group_concat(name || ':' || substr(state, 1, 1), ' ')"
  " FROM (SELECT name, state FROM case_clocks WHERE case_id = cases.id ORDER BY id));"
  "CREATE TRIGGER case_clocks_report_insert AFTER INSERT ON case_clocks BEGIN "
  TS_SLA_CLOCKS("NEW.case_id") " END;"
  "CREATE TRIGGER case_clocks_report_update AFTER UPDATE OF state ON case_clocks"
  " WHEN NEW.state IS NOT OLD.state BEGIN " TS_SLA_CLOCKS("NEW.case_id") " END;"
  "DROP INDEX cases_received;"
  "CREATE INDEX cases_report_received ON cases(received_at, outlet_id, dept_id, status, grade,"
  " category, channel, external, root_cause, service_stage, responsibility, validity, nature,"
  " closed_at, c_phone, c_customer_id, c_name, subject_key, sla_clocks, case_no);"
  "CREATE INDEX cases_report_finished ON cases(closed_at, outlet_id, dept_id, status,"
  " received_at, grade, category, reopen_count, proposal_no, satisfaction, responsibility,"
  " l_attributed_to, l_compensation_cents, l_refund_cents, l_discount_cents, l_repair_cents,"
  " l_goods_cents, l_freight_cents, l_gift_cents, l_other_cents) WHERE closed_at IS NOT NULL;"
  "CREATE INDEX cases_report_open ON cases(received_at, outlet_id, dept_id, status, grade)"
  " WHERE closed_at IS NULL;"
  "CREATE INDEX case_penalties_proposed ON case_penalties(proposed_at);"
  "CREATE TABLE report_days ("
  "  day TEXT NOT NULL,"
  "  outlet_id INTEGER NOT NULL,"   /* 0: none */
  "  dept_id INTEGER NOT NULL,"
  "  received INTEGER NOT NULL DEFAULT 0,"
  "  finished INTEGER NOT NULL DEFAULT 0,"
  "  PRIMARY KEY (day, outlet_id, dept_id)) WITHOUT ROWID;"
  "INSERT INTO report_days(day, outlet_id, dept_id, received)"
  " SELECT tousu_day(received_at), coalesce(outlet_id, 0), coalesce(dept_id, 0), count(*)"
  " FROM cases GROUP BY 1, 2, 3;"
  "INSERT INTO report_days(day, outlet_id, dept_id, finished)"
  " SELECT tousu_day(closed_at), coalesce(outlet_id, 0), coalesce(dept_id, 0), count(*)"
  " FROM cases WHERE closed_at IS NOT NULL GROUP BY 1, 2, 3"
  " ON CONFLICT(day, outlet_id, dept_id) DO UPDATE SET finished = excluded.finished;"
  "CREATE TRIGGER cases_report_insert AFTER INSERT ON cases BEGIN "
  TS_REPORT_DAY_ADD("received", "NEW.received_at", "NEW.outlet_id", "NEW.dept_id", "1")
  TS_REPORT_DAY_ADD("finished", "NEW.closed_at", "NEW.outlet_id", "NEW.dept_id", "1")
  " END;"
  "CREATE TRIGGER cases_report_update AFTER UPDATE OF received_at, outlet_id, dept_id, closed_at"
  " ON cases WHEN NEW.received_at IS NOT OLD.received_at OR NEW.outlet_id IS NOT OLD.outlet_id"
  " OR NEW.dept_id IS NOT OLD.dept_id OR NEW.closed_at IS NOT OLD.closed_at BEGIN "
  TS_REPORT_DAY_ADD("received", "OLD.received_at", "OLD.outlet_id", "OLD.dept_id", "-1")
  TS_REPORT_DAY_ADD("received", "NEW.received_at", "NEW.outlet_id", "NEW.dept_id", "1")
  TS_REPORT_DAY_ADD("finished", "OLD.closed_at", "OLD.outlet_id", "OLD.dept_id", "-1")
  TS_REPORT_DAY_ADD("finished", "NEW.closed_at", "NEW.outlet_id", "NEW.dept_id", "1")
  " END;"
  "CREATE TABLE reports ("
  "  id INTEGER PRIMARY KEY,"
  "  kind TEXT NOT NULL,"          /* month, quarter, year, range */
  "  label TEXT NOT NULL,"         /* "2026-10" */
  "  unit_id INTEGER NOT NULL,"    /* 0: the whole organisation */
  "  generated_at INTEGER NOT NULL,"
  "  generated_by TEXT NOT NULL,"  /* a username, or "scheduler" */
  "  doc TEXT NOT NULL,"           /* the report document (JSON) */
  "  UNIQUE (kind, label, unit_id));"
  "INSERT INTO settings(key, value) VALUES ('report_recipient_roles', '48');";

/* The public customer portal (docs/portal.md): each portal case's access code, kept only
 * as a keyed hash with its own salt, and the wrong codes tried against it (so the lockout
 * survives a restart); and the system user "portal" that registers and follows up portal
 * cases. It cannot log in: disabled, and its password hash is no argon2id string, so no
 * password matches it. */
static const char m012_portal[] =
  "CREATE TABLE portal_access ("
  "  case_id INTEGER PRIMARY KEY REFERENCES cases(id),"
  "  code_hash BLOB NOT NULL,"              /* BLAKE2b-256 of the code, keyed by salt */
  "  salt BLOB NOT NULL,"                   /* 16 random bytes */
  "  created_at INTEGER NOT NULL,"
  "  tries INTEGER NOT NULL DEFAULT 0,"     /* wrong codes since tries_since */
  "  tries_since INTEGER NOT NULL DEFAULT 0,"
  "  locked_until INTEGER NOT NULL DEFAULT 0);" /* 429 for this case until then */
  "INSERT INTO users(username, display_name, email, password_hash, roles, unit_id, disabled,"
  " created_at, updated_at) VALUES ('portal', '客户门户 (customer portal)', '', '!locked', 1,"
  " NULL, 1, CAST(strftime('%s','now') AS INTEGER), CAST(strftime('%s','now') AS INTEGER))"
  " ON CONFLICT(username) DO NOTHING;";

/* cases.sla_clocks is written once per change by the SLA service (ts_tx_case_sla_clocks,
 * after all of the change's clocks are written) instead of by a trigger per clock row: a
 * registration starts three clocks and rewrote the case row and its report index entry three
 * times (bench/README.md run J). */
static const char m013_sla_clocks_once[] =
  "DROP TRIGGER case_clocks_report_insert;"
  "DROP TRIGGER case_clocks_report_update;";

const char *const ts_migrations[] = {m001_foundation, m002_evidence, m003_lifecycle,
                                     m004_grading, m005_accountability, m006_routing,
                                     m007_library, m008_root_cause_index, m009_sla,
                                     m010_search, m011_report, m012_portal, m013_sla_clocks_once};
/* Makes both indexes anew from the tables (`tousu search rebuild`): the same SELECTs. The
 * tables are dropped rather than emptied: deleting a document re-tokenizes its stored text,
 * which a tokenizer of another version would not find in the index. */
const char ts_fts_rebuild_sql[] = "DROP TABLE case_fts; DROP TABLE writeup_fts;"
  TS_FTS_CREATE TS_FTS_CASE_DOC("") TS_FTS_WRITEUP_DOC("")
  "INSERT INTO case_fts(case_fts) VALUES ('optimize');"
  "INSERT INTO writeup_fts(writeup_fts) VALUES ('optimize');";
const int ts_migrations_count = (int)(sizeof ts_migrations / sizeof ts_migrations[0]);
