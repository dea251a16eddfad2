"""The Streamlit pages of the zq_land app: thin widgets over :mod:`zq_land` (which never imports Streamlit).

Every piece of a user's state lives in ``st.session_state`` (see :mod:`ui.state`); modules hold no
mutable state, because a Streamlit server shares its modules between all users.
"""
