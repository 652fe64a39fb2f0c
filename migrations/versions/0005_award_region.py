"""awards.region_id: the region an award counts for in the medal table

Revision ID: 0005_award_region
Revises: 0004_awards_offers
"""
from collections import Counter

import sqlalchemy as sa
from alembic import op

revision = "0005_award_region"
down_revision = "0004_awards_offers"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("awards", schema=None) as batch_op:
        batch_op.add_column(sa.Column("region_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_awards_region_id"), ["region_id"], unique=False)
        batch_op.create_foreign_key(batch_op.f("fk_awards_region_id_regions"), "regions",
                                    ["region_id"], ["id"])
    # Backfill with the rule of services.awards.medal_region (written out here, as a
    # migration must not depend on code that may change): the holder's region; for a team,
    # the region most members come from, on a tie that of the member registered first.
    conn = op.get_bind()
    members: dict[int, list[int]] = {}
    for entry_id, region_id in conn.execute(sa.text(
            "SELECT em.entry_id, p.region_id FROM entry_members em "
            "JOIN persons p ON p.id = em.person_id "
            "WHERE em.entry_id IN (SELECT entry_id FROM awards WHERE entry_id IS NOT NULL) "
            "ORDER BY em.entry_id, em.id")):
        members.setdefault(entry_id, []).append(region_id)
    updates = []
    for award_id, entry_id, person_region in conn.execute(sa.text(
            "SELECT a.id, a.entry_id, p.region_id FROM awards a "
            "LEFT JOIN persons p ON p.id = a.person_id")):
        regions = members.get(entry_id, []) if entry_id is not None else [person_region]
        regions = [r for r in regions if r is not None]
        if regions:
            counts = Counter(regions)
            best = max(counts.values())
            updates.append({"id": award_id,
                            "region": next(r for r in regions if counts[r] == best)})
    if updates:
        conn.execute(sa.text("UPDATE awards SET region_id = :region WHERE id = :id"), updates)


def downgrade():
    with op.batch_alter_table("awards", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_awards_region_id_regions"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_awards_region_id"))
        batch_op.drop_column("region_id")
