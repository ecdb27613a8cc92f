"""The insured person's side of co-pay invoices: «Мои счета» (list, detail, download, paying
several at once), «Полученные услуги», their mobile API, and automatic charges of a bound card."""
