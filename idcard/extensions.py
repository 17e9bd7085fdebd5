"""Flask extensions, created once and bound to each app by create_app."""

from __future__ import annotations

from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_wtf import CSRFProtect

babel = Babel()
csrf = CSRFProtect()
login_manager = LoginManager()
# Default limits are off: each route that needs one says so (login, verify API).
limiter = Limiter(key_func=get_remote_address, default_limits=[])
