"""expert_assignments.role (chief / deputy / expert) replaces is_chief

Revision ID: 0006_assignment_roles
Revises: 0005_award_region
"""
import sqlalchemy as sa
from alembic import op

revision = "0006_assignment_roles"
down_revision = "0005_award_region"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("expert_assignments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("role", sa.String(length=20), nullable=False,
                                      server_default="expert"))
    op.execute(sa.text("UPDATE expert_assignments SET role = 'chief' WHERE is_chief = :yes")
               .bindparams(yes=True))
    with op.batch_alter_table("expert_assignments", schema=None) as batch_op:
        batch_op.create_check_constraint(
            batch_op.f("ck_expert_assignments_role"), "role IN ('chief', 'deputy', 'expert')")
        batch_op.drop_column("is_chief")


def downgrade():
    with op.batch_alter_table("expert_assignments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("is_chief", sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
    # a deputy becomes an expert: the old schema knows only the chief
    op.execute(sa.text("UPDATE expert_assignments SET is_chief = :yes WHERE role = 'chief'")
               .bindparams(yes=True))
    with op.batch_alter_table("expert_assignments", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_expert_assignments_role"), type_="check")
        batch_op.drop_column("role")
