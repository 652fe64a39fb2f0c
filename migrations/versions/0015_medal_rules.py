"""Medal rules per competition and out-of-competition entries (issue 13, points 4–6):
competitions.gold_min, silver_min, bronze_min, min_entries (the least ranked in-competition
entries of a category for each medal and for it to be held; 1 = every medal, as before),
competitions.cis_scale (show the WorldSkills 700 scale) and medallion_scale (the scale the
medallion threshold is on: points or cis), entries.out_of_competition («вне конкурса»).

Revision ID: 0015_medal_rules
Revises: 0014_public_release
"""
import sqlalchemy as sa
from alembic import op

revision = "0015_medal_rules"
down_revision = "0014_public_release"
branch_labels = None
depends_on = None


def upgrade():
    # Defaults keep every existing competition and entry as it was.
    with op.batch_alter_table("competitions", schema=None) as batch_op:
        for name in ("gold_min", "silver_min", "bronze_min", "min_entries"):
            batch_op.add_column(sa.Column(name, sa.Integer(), nullable=False,
                                          server_default="1"))
        batch_op.add_column(sa.Column("cis_scale", sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
        batch_op.add_column(sa.Column("medallion_scale", sa.String(length=10), nullable=False,
                                      server_default="points"))
        batch_op.create_check_constraint(
            "medal_minimums",
            "gold_min >= 1 AND silver_min >= 1 AND bronze_min >= 1 AND min_entries >= 1")
        batch_op.create_check_constraint("medallion_scale",
                                         "medallion_scale IN ('points', 'cis')")
    with op.batch_alter_table("entries", schema=None) as batch_op:
        batch_op.add_column(sa.Column("out_of_competition", sa.Boolean(), nullable=False,
                                      server_default=sa.false()))


def downgrade():
    with op.batch_alter_table("entries", schema=None) as batch_op:
        batch_op.drop_column("out_of_competition")
    with op.batch_alter_table("competitions", schema=None) as batch_op:
        batch_op.drop_constraint("medallion_scale", type_="check")
        batch_op.drop_constraint("medal_minimums", type_="check")
        for name in ("medallion_scale", "cis_scale", "min_entries", "bronze_min",
                     "silver_min", "gold_min"):
            batch_op.drop_column(name)
