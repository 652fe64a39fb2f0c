"""diplomas: the diploma templates of each kind, and every diploma issued with its
verification code and revocation

Revision ID: 0016_diplomas
Revises: 0015_medal_rules
"""
import sqlalchemy as sa
from alembic import op

revision = "0016_diplomas"
down_revision = "0015_medal_rules"
branch_labels = None
depends_on = None

KINDS = ("kind IN ('gold', 'silver', 'bronze', 'medallion', 'winner', 'prize_winner', "
         "'special', 'participation')")


def upgrade():
    op.create_table(
        "diploma_templates",
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("title", sa.String(length=120), nullable=False),
        sa.Column("award_line", sa.String(length=200), nullable=True),
        sa.Column("intro", sa.String(length=200), nullable=True),
        sa.Column("issuer", sa.String(length=300), nullable=True),
        sa.Column("signatory_1", sa.String(length=200), nullable=True),
        sa.Column("signatory_2", sa.String(length=200), nullable=True),
        sa.Column("footer", sa.String(length=300), nullable=True),
        sa.Column("background", sa.LargeBinary(), nullable=True),
        sa.Column("background_type", sa.String(length=10), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(KINDS, name=op.f("ck_diploma_templates_kind")),
        sa.CheckConstraint("background_type IS NULL OR background_type IN ('png', 'jpeg')",
                           name=op.f("ck_diploma_templates_background_type")),
        sa.ForeignKeyConstraint(["updated_by_id"], ["users.id"],
                                name=op.f("fk_diploma_templates_updated_by_id_users")),
        sa.PrimaryKeyConstraint("kind", name=op.f("pk_diploma_templates")),
    )
    op.create_table(
        "diplomas",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("award_id", sa.Integer(), nullable=True),
        sa.Column("entry_id", sa.Integer(), nullable=True),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("competition_id", sa.Integer(), nullable=True),
        sa.Column("name_printed", sa.String(length=320), nullable=False),
        sa.Column("award_printed", sa.String(length=400), nullable=False),
        sa.Column("competition_printed", sa.String(length=400), nullable=True),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("issued_at", sa.DateTime(), nullable=False),
        sa.Column("issued_by_id", sa.Integer(), nullable=True),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.Column("revoked_reason", sa.String(length=500), nullable=True),
        sa.CheckConstraint(KINDS, name=op.f("ck_diplomas_kind")),
        sa.ForeignKeyConstraint(["award_id"], ["awards.id"], ondelete="SET NULL",
                                name=op.f("fk_diplomas_award_id_awards")),
        sa.ForeignKeyConstraint(["entry_id"], ["entries.id"], ondelete="SET NULL",
                                name=op.f("fk_diplomas_entry_id_entries")),
        sa.ForeignKeyConstraint(["person_id"], ["persons.id"], ondelete="SET NULL",
                                name=op.f("fk_diplomas_person_id_persons")),
        sa.ForeignKeyConstraint(["competition_id"], ["competitions.id"], ondelete="SET NULL",
                                name=op.f("fk_diplomas_competition_id_competitions")),
        sa.ForeignKeyConstraint(["issued_by_id"], ["users.id"],
                                name=op.f("fk_diplomas_issued_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_diplomas")),
        sa.UniqueConstraint("code", name=op.f("uq_diplomas_code")),
    )
    with op.batch_alter_table("diplomas", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_diplomas_award_id"), ["award_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_diplomas_entry_id"), ["entry_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_diplomas_person_id"), ["person_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_diplomas_competition_id"), ["competition_id"],
                              unique=False)


def downgrade():
    with op.batch_alter_table("diplomas", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_diplomas_competition_id"))
        batch_op.drop_index(batch_op.f("ix_diplomas_person_id"))
        batch_op.drop_index(batch_op.f("ix_diplomas_entry_id"))
        batch_op.drop_index(batch_op.f("ix_diplomas_award_id"))
    op.drop_table("diplomas")
    op.drop_table("diploma_templates")
