import '../tools/lib/promise-with-resolvers';
