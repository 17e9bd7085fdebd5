"""Demo data: synthetic residents with drawn portraits, issued and printed cards.

For trying the system out; refused in production. Names come from many scripts,
like the ones the shared test data lists, so a newcomer sees what real cards look like.
"""

from __future__ import annotations

import io
import random
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from PIL import Image, ImageDraw
from sqlmodel import Session, select

from idcard.audit import Actor
from idcard.auth.accounts import create_user
from idcard.files import open_private, private_dir
from idcard.issuance.cards import CardPolicy, issue_card
from idcard.issuance.documents import DocumentRules
from idcard.issuance.enrollment import Application, enroll_resident
from idcard.issuance.printing import print_cards
from idcard.issuance.residents import Address, ResidentDetails
from idcard.keys import current_signer
from idcard.models import Resident, ReviewState, Role, Site, StaffUser
from idcard.settings import Settings
from idcard.vault import Vault

SAMPLE_NAMES = (
    "María José Pérez-Rodríguez", "Nguyễn Thị Ánh Tuyết", "Zoë Đorđević", "Łukasz Żółć",
    "Şükrü Gökçe", "Oluwaseun Adébáyọ̀", "Jean-Baptiste Étienne", "Suharto",
    "Владимир Ёлкин", "Ιωάννης Παπαδόπουλος", "محمد عبد الله", "שרה לוי", "李小龙",
    "山田 太郎", "김민준", "अनुराग शर्मा", "রবীন্দ্রনাথ ঠাকুর", "አበበ ቢቂላ",
    "Amara Okonkwo", "Fatima Zahra Benali", "Kwame Mensah", "Priya Raghunathan",
)
STREETS = ("Main Street", "Elm Avenue", "Harbor Road", "Linden Place", "Market Street")
DEMO_SITE = "Demo Enrollment Center"


@dataclass(frozen=True)
class DemoResult:
    residents: int
    files: list[Path]


def portrait(rng: random.Random) -> bytes:
    """A drawn head-and-shoulders portrait: clearly synthetic, never a real face."""
    image = Image.new("RGB", (900, 1200), tuple(rng.randint(170, 235) for _ in range(3)))
    draw = ImageDraw.Draw(image)
    skin = rng.choice([(241, 194, 125), (224, 172, 105), (198, 134, 66), (141, 85, 36),
                       (92, 56, 29), (255, 219, 172)])
    draw.rectangle((150, 850, 750, 1200), fill=tuple(rng.randint(20, 140) for _ in range(3)))
    draw.ellipse((270, 220, 630, 700), fill=skin)
    draw.chord((250, 170, 650, 520), 180, 360, fill=tuple(rng.randint(10, 90) for _ in range(3)))
    for eye_x in (375, 525):
        draw.ellipse((eye_x - 22, 430, eye_x + 22, 462), fill=(40, 30, 25))
    draw.arc((380, 520, 520, 610), 20, 160, fill=(120, 50, 50), width=8)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90)
    return out.getvalue()


def _demo_actor(session: Session) -> Actor:
    site = session.exec(select(Site).where(Site.name == DEMO_SITE)).first()
    if site is None:
        site = Site(name=DEMO_SITE)
        session.add(site)
        session.flush()
    clerk = session.exec(select(StaffUser).where(StaffUser.username == "demo-clerk")).first()
    if clerk is None:
        # Nobody can sign in as the demo clerk: its password is thrown away.
        clerk = create_user(session, Actor(None, None), "demo-clerk", secrets.token_urlsafe(24),
                            Role.CLERK, site.id)
    return Actor(clerk.id, site.id)


def _application(rng: random.Random, today: date) -> Application:
    born_on = today - timedelta(days=rng.randint(16 * 365, 80 * 365))
    address = Address(kind="street", line1=f"{rng.randint(1, 999)} {rng.choice(STREETS)}",
                      postal_code=f"{rng.randint(10001, 10299)}")
    details = ResidentDetails(name=rng.choice(SAMPLE_NAMES), born_on=born_on,
                              gender=rng.choice([None, "F", "M", "X"]), address=address,
                              language=rng.choice(["en", "es", "zh", "ru", "bn", "ar"]))
    return Application(details=details, documents=("photo_id_with_birth_date", "utility_bill"),
                       caretaker_documents=(), photo=portrait(rng))


def make_demo(
    session: Session, vault: Vault, rules: DocumentRules, settings: Settings, count: int,
    out_dir: Path, *, today: date, seed: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> DemoResult:
    """Enroll `count` demo residents, issue and print their cards into `out_dir`."""
    rng = random.Random(seed)  # noqa: S311 - synthetic demo data, not secrets
    actor = _demo_actor(session)
    signer = current_signer(session, vault)
    policy = CardPolicy(years=settings.card_years, young_years=settings.young_card_years)
    private_dir(out_dir)
    files = []
    for number in range(1, count + 1):
        enrollment = enroll_resident(session, vault, rules, _application(rng, today), actor,
                                     today=today)
        resident = session.get(Resident, enrollment.resident_id)
        assert resident is not None
        resident.review = ReviewState.APPROVED  # demo names repeat; not real duplicates
        card = issue_card(session, vault, signer, resident, actor, policy, today=today)
        path = out_dir / f"card-{number:04d}.pdf"
        with open_private(path) as out:
            print_cards(session, vault, settings, [card], out, actor, workers=0)
        session.commit()
        files.append(path)
        if progress:
            progress(number)
    return DemoResult(count, files)
