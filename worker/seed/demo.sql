-- The demo tenant: two teams, six agents, eight customers, a main line, a legacy line and a
-- billing line. Idempotent: safe to apply on every run.

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

-- Twilio settings of the demo tenant. The sids are well-formed placeholders: the demo and the tests
-- talk to the project's Twilio test double, never to Twilio.
UPDATE tenants SET
    twilio_account_sid   = 'AC00000000000000000000000000000d30',
    twilio_api_key_sid   = 'SK00000000000000000000000000000d30',
    twilio_twiml_app_sid = 'AP00000000000000000000000000000d30',
    voice_edge           = 'tokyo',
    routing_json         = '{"max_wait": 180000, "fallback_numbers": ["+819012340000"], "web_calls_enabled": true}'
WHERE id = 'demo';

INSERT OR REPLACE INTO phone_lines (e164, tenant_id, kind, announce_e164) VALUES
    ('+815012345678', 'demo', 'main', NULL),
    ('+81312345678', 'demo', 'legacy', '+815012345678');

-- The billing line (請求窓口): its calls need an agent with billing, come before other waiting
-- calls, and may go to anyone after waiting 60 s. It sorts after the main line, which stays the
-- number the demo's simulated caller dials.
INSERT OR REPLACE INTO phone_lines (e164, tenant_id, kind, announce_e164, required_skills_json,
        priority, skill_relax_after_secs) VALUES
    ('+815055550200', 'demo', 'main', NULL, '{"billing": 1}', 1, 60);
