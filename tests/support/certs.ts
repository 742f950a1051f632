// Generates throwaway certificates with the openssl CLI for TLS tests: a CA, a server certificate for
// 127.0.0.1 and localhost, a client certificate (plain and passphrase-protected key), and an unrelated CA.
import { spawn } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** Paths of the generated files, and a way to remove them. */
export interface TestCertificates {
  dir: string
  /** CA that signed the server and client certificates. */
  caFile: string
  serverCertFile: string
  serverKeyFile: string
  clientCertFile: string
  clientKeyFile: string
  /** The client key encrypted with `passphrase`. */
  clientKeyEncryptedFile: string
  passphrase: string
  /** A CA that signed nothing here: trusting only it must fail verification. */
  otherCaFile: string
  /** Server certificate whose validity ended in the past (same CA, same names). */
  expiredServerCertFile: string
  cleanup(): Promise<void>
}

function openssl(args: string[], cwd: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] })
    let err = ''
    child.stderr.setEncoding('utf8').on('data', (s: string) => { err += s })
    child.on('error', reject)
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`openssl ${args[0]} exited ${code}: ${err}`))))
  })
}

const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes']

async function makeCa(dir: string, name: string): Promise<void> {
  await openssl(['req', '-x509', ...ec, '-keyout', `${name}.key`, '-out', `${name}.crt`, '-days', '2',
    '-subj', `/CN=isomqtt ${name}`, '-addext', 'basicConstraints=critical,CA:TRUE',
    '-addext', 'keyUsage=critical,keyCertSign,cRLSign'], dir)
}

async function makeLeaf(dir: string, name: string, ext: string): Promise<void> {
  await writeFile(join(dir, `${name}.ext`), ext)
  await openssl(['req', '-new', ...ec, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=isomqtt ${name}`], dir)
  await openssl(['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial',
    '-days', '2', '-extfile', `${name}.ext`, '-out', `${name}.crt`], dir)
}

const serverExt = 'basicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=serverAuth\n' +
  'subjectAltName=IP:127.0.0.1,DNS:localhost\n'

// `openssl ca` is the CLI's only way to pick validity dates in the past.
async function makeExpired(dir: string): Promise<void> {
  await writeFile(join(dir, 'index.txt'), '')
  await writeFile(join(dir, 'ca.cnf'), [
    '[ca]', 'default_ca = test', '[test]', `dir = ${dir}`, 'database = $dir/index.txt', 'new_certs_dir = $dir',
    'serial = $dir/ca.srl', 'default_md = sha256', 'policy = any', 'copy_extensions = none', 'unique_subject = no',
    '[any]', 'commonName = supplied', '[ext]', ...serverExt.trim().split('\n'), '',
  ].join('\n'))
  await openssl(['ca', '-batch', '-config', 'ca.cnf', '-cert', 'ca.crt', '-keyfile', 'ca.key', '-extensions', 'ext',
    '-startdate', '20200101000000Z', '-enddate', '20200102000000Z', '-in', 'server.csr', '-out', 'expired.crt'], dir)
}

/** Creates all certificates in a new temp folder (a few hundred ms). */
export async function createTestCertificates(): Promise<TestCertificates> {
  const dir = await mkdtemp(join(tmpdir(), 'isomqtt-certs-'))
  const passphrase = 'test-passphrase'
  await makeCa(dir, 'ca')
  await makeCa(dir, 'other-ca')
  await makeLeaf(dir, 'server', serverExt)
  await makeLeaf(dir, 'client', 'basicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=clientAuth\n')
  await openssl(['pkey', '-in', 'client.key', '-aes256', '-passout', `pass:${passphrase}`, '-out', 'client-encrypted.key'], dir)
  await makeExpired(dir)
  const at = (f: string) => join(dir, f)
  return {
    dir,
    caFile: at('ca.crt'),
    serverCertFile: at('server.crt'),
    serverKeyFile: at('server.key'),
    clientCertFile: at('client.crt'),
    clientKeyFile: at('client.key'),
    clientKeyEncryptedFile: at('client-encrypted.key'),
    passphrase,
    otherCaFile: at('other-ca.crt'),
    expiredServerCertFile: at('expired.crt'),
    cleanup: () => rm(dir, { recursive: true, force: true }),
  }
}
