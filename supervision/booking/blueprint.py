"""The one blueprint that every booking route module adds its views to."""
from flask import Blueprint

bp = Blueprint("booking", __name__, url_prefix="/supervision")
