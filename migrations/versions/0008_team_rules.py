"""offered_competencies: individual or team, with the team size bounds

Revision ID: 0008_team_rules
Revises: 0007_competency_publication
"""
import sqlalchemy as sa
from alembic import op

revision = "0008_team_rules"
down_revision = "0007_competency_publication"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("offered_competencies", schema=None) as batch_op:
        batch_op.add_column(sa.Column("is_team", sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
        batch_op.add_column(sa.Column("team_min", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("team_max", sa.Integer(), nullable=True))
        batch_op.create_check_constraint(
            batch_op.f("ck_offered_competencies_team_size"),
            "team_min IS NULL OR team_max IS NULL OR (team_min >= 2 AND team_max >= team_min)")
    # Backfill (the rule written out, not imported): a competency offered where a team is
    # entered, or marked a team competency in the reference data, is a team competency.
    conn = op.get_bind()
    conn.execute(sa.text(
        "UPDATE offered_competencies SET is_team = :yes WHERE competency_id IN "
        "(SELECT id FROM competencies WHERE is_team = :yes) OR id IN ("
        "SELECT oc.offered_competency_id FROM offered_categories oc "
        "JOIN entries e ON e.offered_category_id = oc.id WHERE e.team_name IS NOT NULL)"),
        {"yes": True})


def downgrade():
    with op.batch_alter_table("offered_competencies", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_offered_competencies_team_size"), type_="check")
        batch_op.drop_column("team_max")
        batch_op.drop_column("team_min")
        batch_op.drop_column("is_team")
