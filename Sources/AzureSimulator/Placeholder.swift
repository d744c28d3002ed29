// The Azure simulator lives here.
