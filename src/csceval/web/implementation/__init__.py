"""Self-profiles in the web platform: pilots rate the implementation elements at T1 and T2."""
