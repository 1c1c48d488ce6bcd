# /etc/cron.d/greyspf - expire greylist entries once a day
# (greyspf-clean(8)). Under systemd greyspf-clean.timer does it, and this
# line does nothing; after "apt remove" greyspf-clean is gone and it does
# nothing either.
30 4 * * *	greyspf	test -x /usr/sbin/greyspf-clean && test ! -d /run/systemd/system && /usr/sbin/greyspf-clean -q
