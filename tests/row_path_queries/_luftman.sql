-- title: Luftman's dimensions
-- answers: The six dimensions of Luftman's Strategic Alignment Maturity model, in their usual order.
SELECT * FROM (VALUES
    (1, 'Communications'), (2, 'Value measurement'), (3, 'Governance'),
    (4, 'Partnership'), (5, 'Scope & architecture'), (6, 'Skills')
) AS t(dimension_order, dimension)
