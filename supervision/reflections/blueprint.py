"""The one blueprint that every reflections route module adds its views to."""
from flask import Blueprint

bp = Blueprint("reflections", __name__, url_prefix="/reflections")
