package store

import "database/sql"

// driver is a database/sql driver compiled into the service.
type driver struct {
	name string        // as registered with database/sql
	tune func(*sql.DB) // pool settings
	lock string        // run first in each migration's transaction: one replica migrates at a time
}

// lookup returns the driver for Config.Driver, if this build has it.
func lookup(name string) (driver, bool) {
	switch name {
	case "sqlite": //gantry:if sqlite
		return sqlite, true //gantry:if sqlite
	case "postgres": //gantry:if postgres
		return postgres, true //gantry:if postgres
	}
	return driver{}, false
}

// driverNames lists what lookup knows, for error messages.
func driverNames() []string {
	return []string{
		"sqlite",   //gantry:if sqlite
		"postgres", //gantry:if postgres
	}
}
