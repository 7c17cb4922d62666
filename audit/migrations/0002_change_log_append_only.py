"""auditlog's change log (a third-party table) gets the same guard as the access log:
Postgres refuses UPDATE and DELETE of its rows. TRUNCATE (only the test suite's flush)
is not a row operation and still works."""

from django.db import migrations

FUNCTION = """
CREATE OR REPLACE FUNCTION audit_refuse_row_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'Cannot % a row of %: the audit log is append-only', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'restrict_violation';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER auditlog_logentry_append_only
    BEFORE UPDATE OR DELETE ON auditlog_logentry
    FOR EACH ROW EXECUTE FUNCTION audit_refuse_row_change();
"""

REVERSE = """
DROP TRIGGER IF EXISTS auditlog_logentry_append_only ON auditlog_logentry;
DROP FUNCTION IF EXISTS audit_refuse_row_change();
"""


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0001_initial"),
        ("auditlog", "0017_add_actor_email"),
    ]

    operations = [migrations.RunSQL(FUNCTION, REVERSE)]
