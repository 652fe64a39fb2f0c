"""Publication per competency: publications.offered_competency_id (None: the whole
competition) and competencies_not_held (a competency declared not held, with the reason)

Revision ID: 0007_competency_publication
Revises: 0006_assignment_roles
"""
import sqlalchemy as sa
from alembic import op

revision = "0007_competency_publication"
down_revision = "0006_assignment_roles"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("publications", schema=None) as batch_op:
        batch_op.add_column(sa.Column("offered_competency_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_publications_offered_competency_id"),
                              ["offered_competency_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_publications_offered_competency_id_offered_competencies"),
            "offered_competencies", ["offered_competency_id"], ["id"], ondelete="CASCADE")
    op.create_table(
        "competencies_not_held",
        sa.Column("offered_competency_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("declared_at", sa.DateTime(), nullable=False),
        sa.Column("declared_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["offered_competency_id"], ["offered_competencies.id"],
            name=op.f("fk_competencies_not_held_offered_competency_id_offered_competencies"),
            ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["declared_by_id"], ["users.id"],
                                name=op.f("fk_competencies_not_held_declared_by_id_users")),
        sa.PrimaryKeyConstraint("offered_competency_id", name=op.f("pk_competencies_not_held")),
    )


def downgrade():
    op.drop_table("competencies_not_held")
    with op.batch_alter_table("publications", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_publications_offered_competency_id_offered_competencies"),
            type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_publications_offered_competency_id"))
        batch_op.drop_column("offered_competency_id")
