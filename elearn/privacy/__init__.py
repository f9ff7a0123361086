"""Personal information protection (个人信息保护): the notice people acknowledge, masked mobile numbers revealed one
at a time, the append-only access log, a person's own data and their departure (离职), and retention."""
