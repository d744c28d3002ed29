// The Azure auth method backend lives here.
