// placeholder for CofferPolicy build bootstrap
