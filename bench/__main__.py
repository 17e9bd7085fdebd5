"""Run every benchmark and print its figures: `make bench` (or `python -m bench`).

`python -m bench --quick` leaves out the 10,000-card batches (several minutes).
"""

from __future__ import annotations

import sys

from bench import card_pdf, photo, status_list, verify_api, verify_browser, verify_timing


def main() -> None:
    quick = "--quick" in sys.argv
    photo.main()
    card_pdf.main([] if quick else ["--full"])
    status_list.main()
    verify_api.main()
    verify_timing.main([])
    verify_browser.main()


if __name__ == "__main__":
    main()
