"""Two-factor authentication with TOTP (django-otp): required for physicians, clinic admins
and anyone with admin access; available to every other user from the Security page.

``services`` holds the rules (who must, checking a code, enrolment, backup codes, reset),
``middleware`` keeps an unverified session away from every page, API call and the admin,
``views`` are the login code step, enrolment and the Security page, ``api`` the token
endpoint's code field, and ``admin`` the clinic admin's reset.
"""
