"""English dates for an interface used in Germany: day, month and year in an
order nobody misreads ("31 Dec 2018", not the United States' 12/31/2018, which
Django's English SHORT_DATE_FORMAT gives; "13 September 2017", not Django's
"Sept. 13, 2017"). German keeps Django's (31.12.2018, 13. September 2017)."""

DATE_FORMAT = "j F Y"
MONTH_DAY_FORMAT = "j F"
SHORT_DATE_FORMAT = "j M Y"
SHORT_DATETIME_FORMAT = "j M Y, H:i"
