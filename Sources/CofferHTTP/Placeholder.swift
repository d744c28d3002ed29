// placeholder for CofferHTTP build bootstrap
