from flask_login import login_required

from .blueprint import bp


@bp.get("/shared")
@login_required
def shared_with_me():  # placeholder until the sharing pages are written
    return ""
