// placeholder for CofferClient build bootstrap
