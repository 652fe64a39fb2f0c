"""Registry numbers of persons (a counter that never hands a number out twice), redirects of
merged persons, pairs marked "not the same", organisation keys without quotes

Existing persons get their id as their number (unique, in creation order, O(n)); the counter
continues after the largest. Organisation keys are recomputed without quotes («», "", „“);
where two organisations of a region would then share a key, the one whose key would change
keeps its old key (which has the quotes, so it cannot clash) and the pair is listed as
near-duplicates.

Revision ID: 0018_person_numbers
Revises: 0017_stored_uploads_jobs
"""
import re

import sqlalchemy as sa
from alembic import op

revision = "0018_person_numbers"
down_revision = "0017_stored_uploads_jobs"
branch_labels = None
depends_on = None

# A copy of the rule at the time of this migration (registry.models.people.organisation_key):
# a migration must not change when the application's code does.
_SPACES = re.compile(r"\s+")
_DASHES = str.maketrans({"\u2013": "-", "\u2014": "-", "\u2012": "-", "\u2212": "-",
                         "\u00a0": " "})
_QUOTES = re.compile("[\"'«»„“”‟‘’‚‛`]")


def _key(text):
    text = _QUOTES.sub(" ", text or "")
    text = text.translate(_DASHES).replace("ё", "е").replace("Ё", "Е")
    text = _SPACES.sub(" ", text).strip().casefold()
    return text.replace(" - ", "-")


def upgrade():
    op.create_table(
        "counters",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_counters")),
    )
    with op.batch_alter_table("persons", schema=None) as batch_op:
        batch_op.add_column(sa.Column("number", sa.Integer(), nullable=True))
    op.execute("UPDATE persons SET number = id")
    op.execute("INSERT INTO counters (name, value) "
               "SELECT 'persons', COALESCE(MAX(id), 0) FROM persons")
    with op.batch_alter_table("persons", schema=None) as batch_op:
        batch_op.alter_column("number", existing_type=sa.Integer(), nullable=False)
        batch_op.create_unique_constraint(batch_op.f("uq_persons_number"), ["number"])

    op.create_table(
        "person_redirects",
        sa.Column("person_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("survivor_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["survivor_id"], ["persons.id"],
                                name=op.f("fk_person_redirects_survivor_id_persons"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("person_id", name=op.f("pk_person_redirects")),
        sa.UniqueConstraint("number", name=op.f("uq_person_redirects_number")),
    )
    with op.batch_alter_table("person_redirects", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_person_redirects_survivor_id"), ["survivor_id"],
                              unique=False)

    for table, target in (("distinct_persons", "persons"),
                          ("distinct_organisations", "organisations")):
        op.create_table(
            table,
            sa.Column("first_id", sa.Integer(), nullable=False),
            sa.Column("second_id", sa.Integer(), nullable=False),
            sa.Column("marked_by_id", sa.Integer(), nullable=True),
            sa.Column("marked_at", sa.DateTime(), nullable=False),
            sa.CheckConstraint("first_id < second_id", name=op.f(f"ck_{table}_order")),
            sa.ForeignKeyConstraint(["first_id"], [f"{target}.id"],
                                    name=op.f(f"fk_{table}_first_id_{target}"),
                                    ondelete="CASCADE"),
            sa.ForeignKeyConstraint(["second_id"], [f"{target}.id"],
                                    name=op.f(f"fk_{table}_second_id_{target}"),
                                    ondelete="CASCADE"),
            sa.ForeignKeyConstraint(["marked_by_id"], ["users.id"],
                                    name=op.f(f"fk_{table}_marked_by_id_users"),
                                    ondelete="SET NULL"),
            sa.PrimaryKeyConstraint("first_id", "second_id", name=op.f(f"pk_{table}")),
        )
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_index(batch_op.f(f"ix_{table}_second_id"), ["second_id"],
                                  unique=False)

    conn = op.get_bind()
    taken = set()
    changes = []
    rows = conn.execute(sa.text(
        "SELECT id, region_id, name, name_key FROM organisations ORDER BY id")).fetchall()
    # Those whose key stays keep it; then the others, oldest first.
    rows = sorted(rows, key=lambda r: (_key(r[2]) != r[3], r[0]))
    for organisation_id, region_id, name, old in rows:
        new = _key(name)
        if (region_id, new) in taken:
            taken.add((region_id, old))
            continue
        taken.add((region_id, new))
        if new != old:
            changes.append({"id": organisation_id, "key": new})
    # Keys that change are first set aside (unique per row), so that no intermediate state
    # clashes with a key about to be freed.
    for change in changes:
        conn.execute(sa.text("UPDATE organisations SET name_key = :tmp WHERE id = :id"),
                     {"tmp": f"\x00{change['id']}", "id": change["id"]})
    for change in changes:
        conn.execute(sa.text("UPDATE organisations SET name_key = :key WHERE id = :id"), change)


def downgrade():
    for table in ("distinct_organisations", "distinct_persons"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(batch_op.f(f"ix_{table}_second_id"))
        op.drop_table(table)
    with op.batch_alter_table("person_redirects", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_person_redirects_survivor_id"))
    op.drop_table("person_redirects")
    with op.batch_alter_table("persons", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_persons_number"), type_="unique")
        batch_op.drop_column("number")
    op.drop_table("counters")
