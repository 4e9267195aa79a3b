-- Run once by the official postgres image, on an empty data volume
-- (/docker-entrypoint-initdb.d), as the superuser: a role and a database
-- per shop service, each role the owner of its own database only and
-- unable to connect to the others. The password comes from the
-- container's environment (SHOP_DB_PASSWORD in docker-compose.yml), the
-- same one the services' DSNs carry.
\set ON_ERROR_STOP on
\getenv shop_db_password SHOP_DB_PASSWORD

CREATE ROLE shop_user LOGIN PASSWORD :'shop_db_password';
CREATE DATABASE shop_user OWNER shop_user;
REVOKE ALL ON DATABASE shop_user FROM PUBLIC;

CREATE ROLE shop_product LOGIN PASSWORD :'shop_db_password';
CREATE DATABASE shop_product OWNER shop_product;
REVOKE ALL ON DATABASE shop_product FROM PUBLIC;

CREATE ROLE shop_order LOGIN PASSWORD :'shop_db_password';
CREATE DATABASE shop_order OWNER shop_order;
REVOKE ALL ON DATABASE shop_order FROM PUBLIC;
