"""competitions.time_zone: the zone a competition's times are shown in

Revision ID: 0009_time_zone
Revises: 0008_team_rules
"""
import sqlalchemy as sa
from alembic import op

revision = "0009_time_zone"
down_revision = "0008_team_rules"
branch_labels = None
depends_on = None


def upgrade():
    # Nullable, no backfill: an existing competition keeps the registry's zone.
    with op.batch_alter_table("competitions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("time_zone", sa.String(length=64), nullable=True))


def downgrade():
    with op.batch_alter_table("competitions", schema=None) as batch_op:
        batch_op.drop_column("time_zone")
