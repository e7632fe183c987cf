"""Where to get help: the helplines and the employer's support contacts that an admin keeps, shown
wherever Cwtch offers support (debrief requests now, the pulse survey's support page later)."""
