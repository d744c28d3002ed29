// placeholder for CofferCore build bootstrap
