"""competitions released to the public pages (and whether they show points); the persons'
consent to the publication of their results (their own, and a minor's guardian's)

Revision ID: 0014_public_release
Revises: 0013_api_tokens
"""
import sqlalchemy as sa
from alembic import op

revision = "0014_public_release"
down_revision = "0013_api_tokens"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("competitions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("released_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("show_points", sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
    with op.batch_alter_table("persons", schema=None) as batch_op:
        batch_op.add_column(sa.Column("publication_consent", sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
        batch_op.add_column(sa.Column("guardian_publication_consent", sa.Boolean(),
                                      nullable=False, server_default=sa.false()))


def downgrade():
    with op.batch_alter_table("persons", schema=None) as batch_op:
        batch_op.drop_column("guardian_publication_consent")
        batch_op.drop_column("publication_consent")
    with op.batch_alter_table("competitions", schema=None) as batch_op:
        batch_op.drop_column("show_points")
        batch_op.drop_column("released_at")
