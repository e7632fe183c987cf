from flask_login import login_required

from .blueprint import bp


@bp.get("/")
@login_required
def index():  # placeholder until the author's pages are written
    return ""
