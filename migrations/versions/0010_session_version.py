"""users.session_version: a change ends every session and remember-cookie of the user

Revision ID: 0010_session_version
Revises: 0009_time_zone
"""
import sqlalchemy as sa
from alembic import op

revision = "0010_session_version"
down_revision = "0009_time_zone"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("session_version", sa.Integer(), nullable=False,
                                      server_default="0"))


def downgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("session_version")
