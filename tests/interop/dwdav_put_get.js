// Puts a file with Salesforce's dwdav library, gets it back, and prints what came back as
// base64: `node dwdav_put_get.js <host:port> <user> <access key> <relative file>`, run in the
// folder that holds the file (dwdav maps paths under its root to paths under Sites/Impex).
const DWDAV = require('dwdav');

const [hostname, username, password, file] = process.argv.slice(2);
const dav = new DWDAV({ hostname, username, password, folder: 'Impex', root: '.' });

dav.post(file)
  .then(() => dav.get(file))
  .then((body) => process.stdout.write(Buffer.from(body).toString('base64')))
  .catch((error) => {
    process.stderr.write(`dwdav failed: ${error.message}\n`);
    process.exit(1);
  });
