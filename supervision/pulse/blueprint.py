"""The one blueprint that every survey route module adds its views to."""
from flask import Blueprint

bp = Blueprint("pulse", __name__, url_prefix="/wellbeing")
