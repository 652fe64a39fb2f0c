"""competency_aliases: historic names and codes of competencies, found by every import

Revision ID: 0012_competency_aliases
Revises: 0011_login_throttles
"""
import sqlalchemy as sa
from alembic import op

revision = "0012_competency_aliases"
down_revision = "0011_login_throttles"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "competency_aliases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("competency_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("name_key", sa.String(length=300), nullable=False),
        sa.ForeignKeyConstraint(["competency_id"], ["competencies.id"],
                                name=op.f("fk_competency_aliases_competency_id_competencies"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_competency_aliases")),
        sa.UniqueConstraint("name_key", name=op.f("uq_competency_aliases_name_key")),
    )
    with op.batch_alter_table("competency_aliases", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_competency_aliases_competency_id"),
                              ["competency_id"], unique=False)


def downgrade():
    with op.batch_alter_table("competency_aliases", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_competency_aliases_competency_id"))
    op.drop_table("competency_aliases")
