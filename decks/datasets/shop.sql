-- shop: a small online shop, the dataset of the sql-practice deck.
--
-- Runs unchanged on SQLite and on PostgreSQL 15. To stay portable:
--   * money is INTEGER cents (no floating-point sums, no NUMERIC/REAL differences);
--   * dates are TEXT in ISO 8601 ('YYYY-MM-DD'), so they compare and sort as text
--     and SUBSTR(order_date, 1, 7) is the month on both engines;
--   * ids are given explicitly (no AUTOINCREMENT / SERIAL).
--
-- Planted on purpose, for the exercises:
--   * customers 7, 9, 11 and 13 have no orders; customer 12 has only a cancelled order;
--   * customers 4 and 7 have no city (NULL);
--   * customer 11 is customer 1 signed up again with the e-mail in another case,
--     customer 13 is customer 2 signed up again with the very same e-mail;
--   * order 17 has no items; orders 5 and 6, 11 and 12, 18 and 22, 20 and 21 share a
--     date (customer 8 placed orders 18 and 22 on the same day);
--   * discount_cents is NULL for an order without a discount;
--   * product 15 has no category, product 16 was never ordered, category 5 has no
--     products; prices tie inside Electronics, Books and Home (RANK vs DENSE_RANK);
--   * order 11 sold product 4 below today's price (order_items keeps the price paid);
--   * customer 5 bought the Puzzle Cube twice (orders 7 and 14) but not the Kite;
--   * employees form a 4-level hierarchy; the CEO's manager_id is NULL; salaries tie
--     (160000 twice, 120000 twice); employees 7 and 11 earn more than their managers;
--   * payments is a raw import without a key: the batch of 2024-03-05 was loaded twice,
--     order 13 was genuinely paid in two equal instalments, order 14 is paid only in
--     part, and the pending orders are unpaid.

CREATE TABLE categories (
    id   INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE
);

CREATE TABLE products (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL,
    category_id INTEGER REFERENCES categories (id),  -- NULL: not categorised
    price_cents INTEGER NOT NULL                     -- today's price
);

CREATE TABLE customers (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL,
    email       TEXT NOT NULL,
    city        TEXT,                                -- NULL: unknown
    signup_date TEXT NOT NULL                        -- 'YYYY-MM-DD'
);

CREATE TABLE orders (
    id             INTEGER PRIMARY KEY,
    customer_id    INTEGER NOT NULL REFERENCES customers (id),
    order_date     TEXT NOT NULL,                    -- 'YYYY-MM-DD'
    status         TEXT NOT NULL,                    -- pending, shipped, delivered, cancelled
    discount_cents INTEGER                           -- NULL: no discount
);

CREATE TABLE order_items (
    order_id         INTEGER NOT NULL REFERENCES orders (id),
    product_id       INTEGER NOT NULL REFERENCES products (id),
    quantity         INTEGER NOT NULL,
    unit_price_cents INTEGER NOT NULL,               -- the price paid, per unit
    PRIMARY KEY (order_id, product_id)
);

CREATE TABLE employees (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL,
    manager_id  INTEGER REFERENCES employees (id),   -- NULL: the CEO
    department  TEXT NOT NULL,
    salary      INTEGER NOT NULL,                    -- yearly, whole currency units
    hire_date   TEXT NOT NULL                        -- 'YYYY-MM-DD'
);

-- No primary key: rows as the payment provider's export delivered them.
CREATE TABLE payments (
    payment_ref  TEXT NOT NULL,
    order_id     INTEGER NOT NULL,
    amount_cents INTEGER NOT NULL,
    paid_on      TEXT NOT NULL                       -- 'YYYY-MM-DD'
);

INSERT INTO categories (id, name) VALUES
    (1, 'Electronics'),
    (2, 'Books'),
    (3, 'Home'),
    (4, 'Toys'),
    (5, 'Garden');

INSERT INTO products (id, name, category_id, price_cents) VALUES
    (1,  'Wireless Mouse',        1,    2500),
    (2,  'Mechanical Keyboard',   1,    8900),
    (3,  'USB-C Hub',             1,    8900),
    (4,  'Headphones',            1,   19900),
    (5,  'Monitor',               1,   24900),
    (6,  'SQL Pocket Guide',      2,    2500),
    (7,  'Data Systems Handbook', 2,    4500),
    (8,  'Python Cookbook',       2,    4500),
    (9,  'Algorithms Explained',  2,    3900),
    (10, 'Cast Iron Pan',         3,    3500),
    (11, 'Desk Lamp',             3,    3500),
    (12, 'Coffee Grinder',        3,    6000),
    (13, 'Puzzle Cube',           4,    1500),
    (14, 'Building Blocks',       4,    4900),
    (15, 'Gift Card',             NULL, 5000),
    (16, 'Standing Desk Mat',     3,    4000),
    (17, 'Kite',                  4,    2000);

INSERT INTO customers (id, name, email, city, signup_date) VALUES
    (1,  'Ana Lima',     'ana@example.com',   'Lisbon', '2023-11-02'),
    (2,  'Ben Okafor',   'ben@example.com',   'Lagos',  '2023-11-15'),
    (3,  'Chloe Martin', 'chloe@example.com', 'Paris',  '2023-12-01'),
    (4,  'Dev Patel',    'dev@example.com',   NULL,     '2024-01-05'),
    (5,  'Eva Novak',    'eva@example.com',   'Prague', '2024-01-10'),
    (6,  'Farid Haddad', 'farid@example.com', 'Paris',  '2024-01-20'),
    (7,  'Gina Rossi',   'gina@example.com',  NULL,     '2024-02-02'),
    (8,  'Hiro Tanaka',  'hiro@example.com',  'Osaka',  '2024-02-14'),
    (9,  'Ines Garcia',  'ines@example.com',  'Lisbon', '2024-02-20'),
    (10, 'Jonas Berg',   'jonas@example.com', 'Oslo',   '2024-03-01'),
    (11, 'Ana Lima',     'Ana@Example.com',   'Lisbon', '2024-03-03'),
    (12, 'Kofi Mensah',  'kofi@example.com',  'Accra',  '2024-03-10'),
    (13, 'Ben Okafor',   'ben@example.com',   'Lagos',  '2024-03-12');

INSERT INTO orders (id, customer_id, order_date, status, discount_cents) VALUES
    (1,  1,  '2024-01-08', 'delivered', NULL),
    (2,  2,  '2024-01-12', 'delivered', 500),
    (3,  1,  '2024-01-20', 'delivered', NULL),
    (4,  3,  '2024-01-25', 'cancelled', NULL),
    (5,  4,  '2024-02-03', 'delivered', 1000),
    (6,  2,  '2024-02-03', 'delivered', NULL),
    (7,  5,  '2024-02-10', 'delivered', NULL),
    (8,  1,  '2024-02-18', 'shipped',   500),
    (9,  6,  '2024-02-25', 'delivered', NULL),
    (10, 3,  '2024-03-02', 'delivered', NULL),
    (11, 8,  '2024-03-05', 'delivered', 2000),
    (12, 2,  '2024-03-05', 'shipped',   NULL),
    (13, 10, '2024-03-09', 'delivered', NULL),
    (14, 5,  '2024-03-15', 'shipped',   NULL),
    (15, 1,  '2024-03-15', 'delivered', NULL),
    (16, 6,  '2024-03-22', 'shipped',   NULL),
    (17, 12, '2024-03-28', 'cancelled', NULL),
    (18, 8,  '2024-04-02', 'pending',   NULL),
    (19, 2,  '2024-04-02', 'pending',   NULL),
    (20, 4,  '2024-04-05', 'pending',   NULL),
    (21, 3,  '2024-04-05', 'pending',   500),
    (22, 8,  '2024-04-02', 'pending',   NULL);

INSERT INTO order_items (order_id, product_id, quantity, unit_price_cents) VALUES
    (1,  1,  1,  2500),
    (1,  6,  1,  2500),
    (2,  2,  1,  8900),
    (3,  8,  1,  4500),
    (3,  7,  1,  4500),
    (4,  4,  1, 19900),
    (5,  5,  1, 24900),
    (5,  1,  2,  2500),
    (6,  10, 1,  3500),
    (6,  11, 1,  3500),
    (7,  13, 3,  1500),
    (7,  14, 1,  4900),
    (8,  12, 1,  6000),
    (9,  3,  1,  8900),
    (9,  1,  1,  2500),
    (10, 9,  2,  3900),
    (11, 4,  1, 18900),
    (12, 15, 2,  5000),
    (13, 2,  1,  8900),
    (13, 6,  1,  2500),
    (14, 13, 1,  1500),
    (15, 14, 1,  4900),
    (15, 13, 2,  1500),
    (15, 17, 1,  2000),
    (16, 7,  1,  4500),
    (18, 5,  1, 24900),
    (19, 10, 2,  3500),
    (20, 11, 1,  3500),
    (21, 8,  1,  4500),
    (22, 1,  1,  2500);

-- Managers before their reports, so the self-reference is satisfied row by row.
-- Levels: 1 -> 2, 3 -> 4, 5, 9, 10, 12 -> 6, 7, 8, 11.
INSERT INTO employees (id, name, manager_id, department, salary, hire_date) VALUES
    (1,  'Grace',    NULL, 'Executive',   250000, '2015-03-01'),
    (2,  'Alan',     1,    'Engineering', 200000, '2016-06-15'),
    (3,  'Ada',      1,    'Sales',       180000, '2016-09-01'),
    (4,  'Linus',    2,    'Engineering', 150000, '2018-01-10'),
    (5,  'Margaret', 2,    'Engineering', 160000, '2018-04-02'),
    (6,  'Dennis',   4,    'Engineering', 120000, '2020-02-17'),
    (7,  'Ken',      4,    'Engineering', 160000, '2019-07-01'),
    (8,  'Barbara',  5,    'Engineering', 120000, '2021-05-03'),
    (9,  'Joan',     3,    'Sales',        90000, '2019-11-11'),
    (10, 'Frances',  3,    'Sales',        95000, '2018-08-20'),
    (11, 'Radia',    10,   'Sales',        97000, '2022-01-04'),
    (12, 'Hedy',     3,    'Support',      70000, '2023-02-13');

-- Order totals: (sum of quantity * unit_price_cents) - COALESCE(discount_cents, 0).
INSERT INTO payments (payment_ref, order_id, amount_cents, paid_on) VALUES
    ('P-1001', 1,   5000, '2024-01-08'),
    ('P-1002', 2,   8400, '2024-01-12'),
    ('P-1003', 3,   9000, '2024-01-20'),
    ('P-1004', 5,  28900, '2024-02-03'),
    ('P-1005', 6,   7000, '2024-02-03'),
    ('P-1006', 7,   9400, '2024-02-10'),
    ('P-1007', 8,   5500, '2024-02-18'),
    ('P-1008', 9,  11400, '2024-02-25'),
    ('P-1009', 10,  7800, '2024-03-02'),
    ('P-1010', 11, 16900, '2024-03-05'),
    ('P-1011', 12, 10000, '2024-03-05'),
    ('P-1010', 11, 16900, '2024-03-05'),
    ('P-1011', 12, 10000, '2024-03-05'),
    ('P-1012', 13,  5700, '2024-03-09'),
    ('P-1013', 13,  5700, '2024-03-09'),
    ('P-1014', 15,  9900, '2024-03-15'),
    ('P-1015', 16,  4500, '2024-03-22'),
    ('P-1016', 14,  1000, '2024-03-16');
