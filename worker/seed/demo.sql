-- The demo tenant: two teams, six agents, eight customers, a main line, a legacy line, the IVR demo
-- line and a billing line. Idempotent: safe to apply on every run.

INSERT OR REPLACE INTO tenants (id, name_ja, name_en, allowed_origins) VALUES
    ('demo', 'デモ株式会社', 'Demo Corp.', '''self'' http://localhost:* http://127.0.0.1:*');

INSERT OR REPLACE INTO teams (tenant_id, id, name_ja, name_en) VALUES
    ('demo', 'sales', '営業一課', 'Sales 1'),
    ('demo', 'support', 'カスタマーサポート', 'Customer Support');

-- Skills (name → level 1..5) only matter to calls whose line requires them: the billing line below.
INSERT OR REPLACE INTO agents (tenant_id, id, display_name, team_id, roles, skills_json) VALUES
    ('demo', 'sato', '佐藤 花子', 'sales', 'agent', '{}'),
    ('demo', 'suzuki', '鈴木 一郎', 'sales', 'agent', '{"english": 3}'),
    ('demo', 'takahashi', '高橋 美咲', 'sales', 'agent supervisor', '{}'),
    ('demo', 'tanaka', '田中 健太', 'support', 'agent', '{"billing": 3}'),
    ('demo', 'ito', '伊藤 さくら', 'support', 'agent', '{"billing": 1}'),
    ('demo', 'watanabe', '渡辺 大輔', 'support', 'agent supervisor', '{}');

INSERT OR REPLACE INTO customers (tenant_id, id, name, company, phone_e164, owner_agent_id) VALUES
    ('demo', 'c001', '山田 太郎', '山田商事株式会社', '+81355550101', 'sato'),
    ('demo', 'c002', '中村 由美', 'なかむら歯科', '+81665550102', 'sato'),
    ('demo', 'c003', '小林 誠', '小林工業', '+819055550103', 'suzuki'),
    ('demo', 'c004', '加藤 恵', 'カトウ不動産', '+815055550104', 'takahashi'),
    ('demo', 'c005', '吉田 翔', '', '+818055550105', 'tanaka'),
    ('demo', 'c006', '山本 あかり', '山本デザイン事務所', '+81455550106', NULL),
    ('demo', 'c007', 'Emily Carter', 'Carter & Sons Ltd.', '+442079460107', 'ito'),
    ('demo', 'c008', '松本 直樹', '松本物流', '+81120555108', NULL);

-- Customer attributes an IVR menu can branch on (`branch_attribute`): 山田商事 is on the gold plan.
UPDATE customers SET attributes_json = '{"plan": "gold"}' WHERE tenant_id = 'demo' AND id = 'c001';

-- Twilio settings of the demo tenant. The sids are well-formed placeholders: the demo and the tests
-- talk to the project's Twilio test double, never to Twilio.
UPDATE tenants SET
    twilio_account_sid   = 'AC00000000000000000000000000000d30',
    twilio_api_key_sid   = 'SK00000000000000000000000000000d30',
    twilio_twiml_app_sid = 'AP00000000000000000000000000000d30',
    voice_edge           = 'tokyo',
    -- Its contact-center settings (one typed column each, migration 0017; NULL is the default):
    -- callers wait up to 3 minutes, then the fallback mobile rings; web calls are on.
    max_wait_ms           = 180000,
    fallback_numbers_json = '["+819012340000"]',
    web_calls_enabled     = 1
WHERE id = 'demo';

INSERT OR REPLACE INTO phone_lines (e164, tenant_id, kind, announce_e164) VALUES
    ('+815012345678', 'demo', 'main', NULL),
    ('+81312345678', 'demo', 'legacy', '+815012345678'),
    -- The IVR demo line (issue 14): its callers go through the menu below before routing.
    ('+815012345679', 'demo', 'main', NULL);

-- 050-1234-5679's menu: 請求は1、予約は2 (or say it), after hours to voicemail.
INSERT OR REPLACE INTO line_ivr_menus (e164, tenant_id, menu_json, updated_at) VALUES
    ('+815012345679', 'demo', '{"start":"hours","nodes":[{"id":"hours","type":"branch_hours","open":"root","closed":"after_hours"},{"id":"root","type":"gather","prompt":"お電話ありがとうございます。ご用件をお話しいただくか、番号を押してください。請求は1、予約は2。","input":"dtmf_speech","hints":["請求","予約"],"timeout_secs":5,"max_retries":2,"choices":[{"digit":"1","keywords":["請求","料金","支払い"],"label":"請求","next":"billing"},{"digit":"2","keywords":["予約"],"label":"予約","next":"booking"},{"digit":"9","keywords":["もう一度"],"label":"もう一度","next":"root"}],"on_failure":"operator"},{"id":"billing","type":"set_routing","skills":[{"skill":"billing","min_level":1}],"priority":5,"next":"billing_team"},{"id":"billing_team","label":"料金チーム","type":"route","target":"default"},{"id":"booking","type":"set_routing","skills":[{"skill":"booking","min_level":1}],"next":"booking_team"},{"id":"booking_team","label":"予約窓口","type":"route","target":{"team":"sales"}},{"id":"operator","label":"代表","type":"say","text":"担当者におつなぎします。","next":"operator_route"},{"id":"operator_route","type":"route","target":"default"},{"id":"after_hours","label":"留守番電話","type":"voicemail","prompt":"ただいま営業時間外です。発信音のあとにご用件をお話しください。","max_length_secs":120}]}', 0);

-- The billing line (請求窓口): its calls need an agent with billing, come before other waiting
-- calls, and may go to anyone after waiting 60 s. It sorts after the main line, which stays the
-- number the demo's simulated caller dials.
INSERT OR REPLACE INTO phone_lines (e164, tenant_id, kind, announce_e164, required_skills_json,
        priority, skill_relax_after_secs) VALUES
    ('+815055550200', 'demo', 'main', NULL, '{"billing": 1}', 1, 60);
