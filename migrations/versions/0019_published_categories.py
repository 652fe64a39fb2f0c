"""Published categories: each publication's rows per category, apart from its snapshot

A person's page showed their published results by having the database pick the person's
categories out of every snapshot holding them, which parses the whole snapshot (a final's is
hundreds of kilobytes) once per category asked for. The rows of each category are now also
kept in a table of their own, indexed by the category. Existing publications are copied from
their snapshots here.

Revision ID: 0019_published_categories
Revises: 0018_person_numbers
"""
import json

import sqlalchemy as sa
from alembic import op

revision = "0019_published_categories"
down_revision = "0018_person_numbers"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "published_categories",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("publication_id", sa.Integer(), nullable=False),
        sa.Column("offered_category_id", sa.Integer(), nullable=False),
        sa.Column("rows", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["publication_id"], ["publications.id"],
                                name=op.f("fk_published_categories_publication_id_publications"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["offered_category_id"], ["offered_categories.id"],
                                name=op.f("fk_published_categories_offered_category_id_offered_categories"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_published_categories")),
        sa.UniqueConstraint("publication_id", "offered_category_id",
                            name=op.f("uq_published_categories_publication_id_offered_category_id")),
    )
    op.create_index("ix_published_categories_publication_id", "published_categories",
                    ["publication_id"])
    op.create_index("ix_published_categories_offered_category_id", "published_categories",
                    ["offered_category_id"])
    conn = op.get_bind()
    offered = {row[0] for row in conn.execute(sa.text("SELECT id FROM offered_categories"))}
    table = sa.table("published_categories", sa.column("publication_id", sa.Integer),
                     sa.column("offered_category_id", sa.Integer), sa.column("rows", sa.JSON))
    ids = [row[0] for row in conn.execute(sa.text("SELECT id FROM publications ORDER BY id"))]
    for publication_id in ids:  # one snapshot at a time: a final's is large
        snapshot = conn.execute(sa.text("SELECT snapshot FROM publications WHERE id = :id"),
                                {"id": publication_id}).scalar()
        if isinstance(snapshot, str | bytes):
            snapshot = json.loads(snapshot)
        standings = (snapshot or {}).get("standings") or {}
        values = [{"publication_id": publication_id, "offered_category_id": int(key),
                   "rows": rows} for key, rows in standings.items()
                  if int(key) in offered]
        if values:
            conn.execute(table.insert(), values)


def downgrade():
    op.drop_table("published_categories")
