"""«Несогласие с услугой»: the insured disputes a registry line, the back office answers within
15 calendar days, rejecting it or correcting the invoice (refunding or crediting what was paid)."""
