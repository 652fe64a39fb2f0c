"""Data the demo season does not have in the benchmark's shape: a whole final of
100 competencies × 60 entries × 60 aspects, and a 10,000-row participants file."""
from __future__ import annotations

import csv
import io
import random
from datetime import date
from decimal import Decimal

from sqlalchemy import func, insert, select

from registry.extensions import db
from registry.models import (
    Aspect,
    Category,
    Competency,
    Competition,
    CompetitionKind,
    Criterion,
    Entry,
    EntryMember,
    Mark,
    OfferedCategory,
    OfferedCompetency,
    Person,
    Region,
    ScoreSheet,
    person_key,
)

LETTERS = "абвгдежзиклмнопрстуфхцчшэюя"


def _word(number: int) -> str:
    text = ""
    while True:
        text = LETTERS[number % len(LETTERS)] + text
        number //= len(LETTERS)
        if not number:
            return text


def _next_id(model) -> int:
    return (db.session.scalar(select(func.max(model.id))) or 0) + 1


FINAL_TITLE = "Бенчмарк: финал"


def build_final(competencies: int = 100, entries: int = 60, aspects: int = 60,
                seed: int = 7) -> Competition:
    """A «Профессионалы» final with ``competencies`` × ``entries`` entries, each marked on
    ``aspects`` aspects (6 criteria), written with multi-row INSERTs."""
    rng = random.Random(seed)
    kind = db.session.scalar(select(CompetitionKind).where(CompetitionKind.slug == "professionaly"))
    category = db.session.scalar(select(Category).where(Category.kind_id == kind.id,
                                                        Category.name == "Основная"))
    regions = db.session.scalars(select(Region.id)).all()
    names = db.session.scalars(select(Competency).join(Competency.kinds)
                               .where(CompetitionKind.id == kind.id).order_by(Competency.name)
                               .limit(competencies)).all()
    competition = Competition(kind=kind, title=f"{FINAL_TITLE} {rng.randrange(10**6)}",
                              year=2024, stage="final", starts_on=date(2024, 9, 1),
                              ends_on=date(2024, 9, 5), status="marking",
                              medallion_threshold=Decimal(60))
    db.session.add(competition)
    db.session.flush()
    person_id, entry_id = _next_id(Person), _next_id(Entry)
    criterion_id, aspect_id, sheet_id = _next_id(Criterion), _next_id(Aspect), _next_id(ScoreSheet)
    persons, entry_rows, members, criteria, aspect_rows, sheets, marks = [], [], [], [], [], [], []
    per_criterion = aspects // 6
    for competency in names:
        offered = OfferedCompetency(competition=competition, competency=competency)
        db.session.add(offered)
        db.session.flush()
        offered_category = OfferedCategory(offered_competency=offered, category=category)
        db.session.add(offered_category)
        db.session.flush()
        competency_aspects = []
        for c in range(6):
            criteria.append({"id": criterion_id, "offered_competency_id": offered.id,
                             "code": "ABCDEF"[c], "title": f"Модуль {'ABCDEF'[c]}", "position": c})
            for a in range(per_criterion):
                aspect_rows.append({"id": aspect_id, "criterion_id": criterion_id,
                                    "title": f"Аспект {a + 1}", "max_marks": Decimal("1.66"),
                                    "kind": "measurement", "position": a})
                competency_aspects.append((aspect_id, criterion_id))
                aspect_id += 1
            sheets.append({"id": sheet_id, "offered_category_id": offered_category.id,
                           "criterion_id": criterion_id, "status": "confirmed", "locked": True,
                           "version": 1})
            criterion_id += 1
            sheet_id += 1
        sheet_of = {crit: sheets[-6 + i]["id"] for i, crit in
                    enumerate(sorted({c for _a, c in competency_aspects}))}
        for _ in range(entries):
            birth = date(2003, 1, 1).toordinal() + rng.randrange(1500)
            last, first = "Финалов" + _word(person_id), "Иван"
            persons.append({"id": person_id, "last_name": last, "first_name": first,
                            "middle_name": None, "birth_date": date.fromordinal(birth),
                            "identity_key": person_key(last, first, None, date.fromordinal(birth)),
                            "region_id": rng.choice(regions)})
            entry_rows.append({"id": entry_id, "offered_category_id": offered_category.id,
                               "status": "registered"})
            members.append({"entry_id": entry_id, "offered_category_id": offered_category.id,
                            "person_id": person_id})
            for aspect, crit in competency_aspects:
                marks.append({"sheet_id": sheet_of[crit], "entry_id": entry_id, "aspect_id": aspect,
                              "value": Decimal(rng.randrange(0, 167)) / 100})
            person_id += 1
            entry_id += 1
    for model, rows in ((Person, persons), (Criterion, criteria), (Aspect, aspect_rows),
                        (ScoreSheet, sheets), (Entry, entry_rows), (EntryMember, members),
                        (Mark, marks)):
        for start in range(0, len(rows), 5000):
            db.session.execute(insert(model), rows[start:start + 5000])
    if db.engine.dialect.name == "postgresql":
        from sqlalchemy import text

        for table in ("persons", "criteria", "aspects", "score_sheets", "entries"):
            db.session.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                    f"(SELECT MAX(id) FROM {table}))"))
    db.session.commit()
    return competition


def participants_file(rows: int, salt: str, seed: int = 11) -> bytes:
    """A participants CSV (UTF-8 with BOM, ``;``) of ``rows`` new persons with messy regions."""
    rng = random.Random(seed)
    regions = ["г. Москва", "Татарстан", "Оренбургская обл.", "Кемеровская область — Кузбасс",
               "Якутия", "Санкт-Петербург", "Свердловская область", "Краснодарский край", "ХМАО",
               "Республика Башкортостан", "Нижегородская область", "Приморский край"]
    competencies = ["Сварочные технологии", "Поварское дело", "Электромонтаж", "Веб-технологии",
                    "Кондитерское дело", "Мехатроника", "Сетевое и системное администрирование"]
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(["Фамилия", "Имя", "Отчество", "Дата рождения", "Регион", "Организация",
                     "Компетенция", "Категория", "Email", "Телефон", "Согласие на обработку ПДн"])
    for number in range(rows):
        writer.writerow([f"Импортов{salt}{_word(number)}", "Пётр", "Сергеевич",
                         f"{rng.randint(1, 28):02d}.{rng.randint(1, 12):02d}.{rng.randint(2000, 2006)}",
                         rng.choice(regions), f"Колледж № {rng.randint(1, 400)}",
                         rng.choice(competencies), "Основная", f"p{number}@example.ru",
                         "+7 900 000-00-00", "10.01.2024"])
    return "\ufeff".encode() + out.getvalue().encode("utf-8")


if __name__ == "__main__":
    # ``python -m benchmarks.synthetic URL``: the final built into that database (by the
    # benchmark's ``prepare``, in a process of its own)
    import sys

    from registry import create_app

    with create_app({"SQLALCHEMY_DATABASE_URI": sys.argv[1]}).app_context():
        print(build_final().id)
