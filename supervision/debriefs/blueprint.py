"""The one blueprint that every debrief route module adds its views to."""
from flask import Blueprint

bp = Blueprint("debriefs", __name__, url_prefix="/debriefs")
