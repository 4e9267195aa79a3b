-- The catalog a new shop starts with. A migration runs once, so products
-- an admin changes or adds later are never reset.
INSERT INTO products (id, name, price_cents, stock) VALUES
	('p01', 'Espresso beans, 1 kg', 2490, 100),
	('p02', 'Pour-over kettle', 5900, 40),
	('p03', 'Burr grinder', 14900, 25),
	('p04', 'Ceramic dripper', 2200, 60),
	('p05', 'Paper filters (100)', 690, 200),
	('p06', 'Digital scale', 3900, 50),
	('p07', 'Milk jug, 600 ml', 1850, 70),
	('p08', 'Espresso cup set', 2990, 45),
	('p09', 'Cold brew bottle', 2400, 55),
	('p10', 'Tamper, 58 mm', 3200, 35),
	('p11', 'Knock box', 2700, 30),
	('p12', 'Descaler (4 doses)', 1290, 120);
