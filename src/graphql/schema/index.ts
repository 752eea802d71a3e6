import { builder } from '../builder.js';
import './scalars.js';
import './measurement.js';
import './alert.js';
import './analysis.js';
import './tracked-test.js';
import './maintenance.js';

// Reading needs `read`, on every query and subscription field; mutations name their own scope.
builder.queryType({ authScopes: { read: true } });
builder.mutationType({});
builder.subscriptionType({ authScopes: { read: true } });

builder.globalConnectionField('totalCount', (t) =>
  t.int({ nullable: false, complexity: 5, resolve: (connection) => connection.totalCount() }),
);

export const schema = builder.toSchema();
