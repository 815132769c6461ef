-- A co-presence contact confirmed by an investigator (co_presence_contacts, 0026) concerns the person's
-- health code (yellow by default, docs/capabilities/health-code-rules.md): the same statement-level
-- signal as the other tables the colour is computed from (0024), so the worker computes their colour
-- again within seconds.
--
-- Distribution (docs/scale-out.md): no new table.

CREATE TRIGGER health_code_signal_insert AFTER INSERT ON co_presence_contacts
  REFERENCING NEW TABLE AS hc_new FOR EACH STATEMENT EXECUTE FUNCTION health_code_signal();
CREATE TRIGGER health_code_signal_update AFTER UPDATE ON co_presence_contacts
  REFERENCING NEW TABLE AS hc_new FOR EACH STATEMENT EXECUTE FUNCTION health_code_signal();
CREATE TRIGGER health_code_signal_delete AFTER DELETE ON co_presence_contacts
  REFERENCING OLD TABLE AS hc_new FOR EACH STATEMENT EXECUTE FUNCTION health_code_signal();
